using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Acme.Shop.Tests;

/// <summary>The seed's threaddb only grew; JobCleanupService makes the store forget finished jobs once they are old.</summary>
public sealed class JobCleanupServiceTests : IDisposable
{
    // One sweep an hour, so each step of the clock below brings at most one.
    private readonly BackgrounderAppFactory _app = new(
        ("Backgrounder:CleanupInterval", "01:00:00"),
        ("Backgrounder:RetentionPeriod", "00:55:00"),
        ("Backgrounder:MaxRetainedJobs", "1000"))
    {
        ConfigureTestServices = services => services.Replace(ServiceDescriptor.Singleton<IJobStore, RecordingJobStore>()),
    };

    public void Dispose() => _app.Dispose();

    private RecordingJobStore Store => (RecordingJobStore)_app.Store;

    [Fact]
    public async Task Each_CleanupInterval_the_jobs_finished_more_than_the_retention_period_ago_are_removed()
    {
        var old = await FinishedJobAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        var recent = await FinishedJobAsync();
        var running = await _app.StartAsync((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));
        _app.Time.Advance(TimeSpan.FromMinutes(49));
        Assert.NotNull(await Store.GetAsync(old));

        // The hour is up: the sweep finds the old job finished 60 minutes ago, the recent one 50.
        var sweep = Store.NextSweep;
        _app.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await sweep.WaitAsync(JobWaiting.Timeout));
        Assert.Null(await Store.GetAsync(old));
        Assert.NotNull(await Store.GetAsync(recent));
        Assert.NotNull(await Store.GetAsync(running));
    }

    private async Task<JobId> FinishedJobAsync()
    {
        var id = await _app.StartAsync((context, _) =>
        {
            context.WriteLine("done");
            return Task.CompletedTask;
        });
        await _app.Store.WaitUntilFinishedAsync(id);
        return id;
    }
}
