using Company.WebApplication1.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.WebApplication1.Tests;

/// <summary>When the host stops: queued jobs never run, running ones are asked to stop, the stubborn are recorded.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Queued_jobs_end_Canceled_cooperative_ones_Canceled_and_stubborn_ones_Interrupted()
    {
        var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "2"))
        {
            ConfigureTestServices = services => services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(1)),
        };
        var neverReleased = new TaskCompletionSource();
        var cooperative = new ScriptedJob();
        var stubbornStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queuedRan = false;

        var cooperativeJob = app.GetJob(app.Jobs.Start(cooperative.RunAsync));
        var stubbornJob = app.GetJob(app.Jobs.Start(async (_, _) =>
        {
            stubbornStarted.SetResult();
            await neverReleased.Task; // ignores its token on purpose
        }));
        await cooperative.Started.WaitAsync(JobWaiting.Timeout);
        await stubbornStarted.Task.WaitAsync(JobWaiting.Timeout);
        var queuedJobs = Enumerable.Range(0, 3).Select(_ => app.GetJob(app.Jobs.Start((_, _) =>
        {
            queuedRan = true;
            return Task.CompletedTask;
        }))).ToList();

        await app.DisposeAsync();

        Assert.All(queuedJobs, job =>
        {
            Assert.Equal(JobState.Canceled, job.Status.State);
            Assert.Null(job.Status.StartedAt);
        });
        Assert.False(queuedRan);
        Assert.Equal(JobState.Canceled, cooperativeJob.Status.State);
        Assert.Equal(JobState.Interrupted, stubbornJob.Status.State);
        Assert.Equal(JobWorkerService.InterruptedLine, stubbornJob.Output.Read().Lines[^1]);
        neverReleased.SetResult();
    }
}
