using Company.WebApplication1.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Company.WebApplication1.Tests;

/// <summary>The seed's threaddb only grew; JobCleanupService forgets finished jobs by age and by count.</summary>
public sealed class JobCleanupServiceTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly RecordingJobStore _store = new();
    private readonly BackgrounderAppFactory _app;

    public JobCleanupServiceTests() =>
        _app = new BackgrounderAppFactory(
            ("Backgrounder:CleanupInterval", "00:00:30"),
            ("Backgrounder:RetentionPeriod", "00:10:00"),
            ("Backgrounder:MaxRetainedJobs", "3"))
        {
            ConfigureTestServices = services => services.Replace(ServiceDescriptor.Singleton<IJobStore>(_store)),
        };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Finished_jobs_are_removed_once_older_than_the_retention_period()
    {
        var old = await FinishedJobAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var recent = await FinishedJobAsync();

        await _app.Time.AdvanceUntilAsync(_store.WhenRemoved(old.Id), Interval);

        Assert.Null(_store.Find(old.Id));
        Assert.NotNull(_store.Find(recent.Id));
        Assert.True(_app.Time.GetUtcNow() - old.Status.FinishedAt >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Past_MaxRetainedJobs_the_oldest_finished_jobs_go_first_and_running_ones_stay()
    {
        var running = _app.GetJob(_app.Jobs.Start(JobThatRunsUntilCanceled));
        var finished = new List<Job>();
        for (var i = 0; i < 5; i++)
        {
            finished.Add(await FinishedJobAsync());
            _app.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await _app.Time.AdvanceUntilAsync(_store.WhenRemoved(finished[2].Id), TimeSpan.FromSeconds(1));

        Assert.Equal(
            new[] { running.Id, finished[3].Id, finished[4].Id }.Select(id => id.ToString()).Order(),
            _store.List().Select(job => job.Id.ToString()).Order());
    }

    [Fact]
    public async Task Running_jobs_are_never_removed_however_old()
    {
        var running = Enumerable.Range(0, 4).Select(_ => _app.GetJob(_app.Jobs.Start(JobThatRunsUntilCanceled))).ToList();
        var finished = await FinishedJobAsync();

        await _app.Time.AdvanceUntilAsync(_store.WhenRemoved(finished.Id), TimeSpan.FromHours(1));

        Assert.All(running, job => Assert.NotNull(_store.Find(job.Id)));
    }

    private static Task JobThatRunsUntilCanceled(JobContext context, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken);

    private async Task<Job> FinishedJobAsync()
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            context.WriteLine("done");
            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();
        return job;
    }
}
