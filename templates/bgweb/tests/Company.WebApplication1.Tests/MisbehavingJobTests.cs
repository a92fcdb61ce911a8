using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>Jobs that break the rules are recorded, never fatal; the registry never outgrows its limit.</summary>
public sealed class MisbehavingJobTests
{
    [Fact]
    public async Task A_job_that_returns_a_faulted_task_ends_Failed()
    {
        using var app = new BackgrounderAppFactory();
        var job = app.GetJob(app.Jobs.Start((_, _) => Task.FromException(new TimeoutException("upstream"))));

        await job.WaitUntilFinishedAsync();

        Assert.Equal(JobState.Failed, job.Status.State);
        Assert.Equal("TimeoutException: upstream", job.Status.Error);
    }

    [Fact]
    public async Task Writing_after_the_job_ended_is_recorded_and_harmless()
    {
        using var app = new BackgrounderAppFactory();
        var late = new TaskCompletionSource();
        var lateWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = app.GetJob(app.Jobs.Start((context, cancellationToken) =>
        {
            _ = Task.Run(async () =>
            {
                await late.Task;
                context.WriteLine("written after the end");
                lateWritten.SetResult();
            });
            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();

        late.SetResult();
        await lateWritten.Task.WaitAsync(JobWaiting.Timeout);

        Assert.Equal(JobState.Succeeded, job.Status.State);
        Assert.Equal("written after the end", job.Output.Read().Lines[^1]);
    }

    [Fact]
    public async Task The_registry_never_holds_more_than_MaxRetainedJobs_even_between_cleanups()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxRetainedJobs", "5"), ("Backgrounder:CleanupInterval", "01:00:00"));

        for (var i = 0; i < 40; i++)
        {
            await app.GetJob(app.Jobs.Start((_, _) => Task.CompletedTask)).WaitUntilFinishedAsync();
            Assert.InRange(app.Store.Count, 1, 5);
        }
    }
}
