using Hangfire;
using Hangfire.InMemory;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// Hangfire.Core with Hangfire.InMemory storage and as many workers: the library a user would pick instead.
/// A job counts as complete when Hangfire applies its Succeeded state (<see cref="HangfireCompletion"/>).
/// </summary>
public sealed class HangfirePool : IDisposable
{
    private readonly InMemoryStorage _storage = new();
    private readonly BackgroundJobServer _server;
    private readonly BackgroundJobClient _client;

    public HangfirePool(int workers)
    {
        HangfireCompletion.Install();
        _server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, _storage);
        _client = new BackgroundJobClient(_storage);
    }

    /// <summary>Hangfire's typed form, <c>Enqueue&lt;T&gt;(x =&gt; x.Run())</c>: the job class is activated for each run.</summary>
    public async Task RunTypedAsync(int jobs)
    {
        var allDone = HangfireCompletion.Expect(jobs);
        for (var i = 0; i < jobs; i++)
        {
            _client.Enqueue<HangfireTypedNoOp>(job => job.Run());
        }

        await allDone;
    }

    public async Task RunAsync(int jobs, int linesPerJob)
    {
        var allDone = HangfireCompletion.Expect(jobs);
        for (var i = 0; i < jobs; i++)
        {
            if (linesPerJob == 0)
            {
                _client.Enqueue(() => HangfireJobs.NoOp());
            }
            else
            {
                _client.Enqueue(() => HangfireJobs.TenLines(null!));
            }
        }

        await allDone;
    }

    public void Dispose()
    {
        _server.Dispose();
        _storage.Dispose();
    }
}
