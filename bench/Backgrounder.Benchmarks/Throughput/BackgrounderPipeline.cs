using Backgrounder.Benchmarks.Hosting;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// The template's services wired by its own <c>AddBackgrounder</c>, with a queue large enough for a whole run:
/// the raw-channel baseline gets the same capacity, so neither measures refusals.
/// </summary>
public sealed class BackgrounderPipeline : IDisposable
{
    private readonly IHost _host;
    private readonly BackgroundJobs _jobs;
    private readonly JobCompletions _completions;

    private BackgrounderPipeline(IHost host)
    {
        _host = host;
        _jobs = host.Services.GetRequiredService<BackgroundJobs>();
        _completions = new JobCompletions(host.Services);
    }

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

    /// <summary>Starts <paramref name="jobs"/> jobs at once, then waits until all have reached a final state.</summary>
    public async Task RunAsync(int jobs, JobWork work)
    {
        var allDone = _completions.WhenCount(_completions.Count + jobs);
        for (var i = 0; i < jobs; i++)
        {
            await _jobs.StartAsync(work);
        }

        await allDone;
    }

    /// <summary>Starts <paramref name="jobs"/> runs of the job class <typeparamref name="TJob"/>, each built in a scope of its own.</summary>
    public async Task RunTypedAsync<TJob>(int jobs)
        where TJob : class, IJob
    {
        var allDone = _completions.WhenCount(_completions.Count + jobs);
        for (var i = 0; i < jobs; i++)
        {
            await _jobs.StartAsync<TJob>();
        }

        await allDone;
    }

    public void Dispose()
    {
        _completions.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}
