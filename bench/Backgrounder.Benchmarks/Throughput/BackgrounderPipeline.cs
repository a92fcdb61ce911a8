using Backgrounder.Benchmarks.Hosting;
using Company.WebApplication1.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// The template's services wired by its own <c>AddBackgrounder</c>, with a queue large enough for a whole run:
/// the raw-channel baseline gets the same capacity, so neither measures refusals.
/// </summary>
public sealed class BackgrounderPipeline : IDisposable
{
    private readonly IHost _host;

    private BackgrounderPipeline(IHost host)
    {
        _host = host;
        Jobs = host.Services.GetRequiredService<BackgroundJobs>();
        Store = host.Services.GetRequiredService<IJobStore>();
    }

    public BackgroundJobs Jobs { get; }

    public IJobStore Store { get; }

    public static BackgrounderPipeline Start(int queueCapacity)
    {
        var host = BackgrounderHost.Build(new()
        {
            ["Backgrounder:QueueCapacity"] = queueCapacity.ToString(),
            ["Backgrounder:MaxRetainedJobs"] = int.MaxValue.ToString(),
        });
        host.Start();
        return new BackgrounderPipeline(host);
    }

    /// <summary>Starts a job and returns the task that completes when it reaches a final state.</summary>
    public Task StartAndTrack(JobWork work) => Store.Find(Jobs.Start(work))!.Finished;

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}
