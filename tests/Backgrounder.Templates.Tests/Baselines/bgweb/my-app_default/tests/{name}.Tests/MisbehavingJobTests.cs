namespace my_app.Tests;

/// <summary>Jobs that break the rules are contained: their output ends with them, and the store keeps its limit.</summary>
public sealed class MisbehavingJobTests
{
    [Fact]
    public async Task What_a_job_writes_after_it_ended_never_enters_its_output()
    {
        using var app = new BackgrounderAppFactory();
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await app.StartAsync((context, cancellationToken) =>
        {
            context.WriteLine("on time");
            _ = Task.Run(async () =>
            {
                await late.Task;
                context.WriteLine("written after the end");
                context.ReportProgress(0.5);
                lateWritten.SetResult();
            });
            return Task.CompletedTask;
        });
        var finished = await app.Store.WaitUntilFinishedAsync(id);

        late.SetResult();
        await lateWritten.Task.WaitAsync(JobWaiting.Timeout);

        // A follower that saw the final state has seen every line there will ever be.
        Assert.Equal(finished, await app.Store.StatusAsync(id));
        Assert.Equal(["on time"], await app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task The_store_never_holds_more_than_MaxRetainedJobs_even_between_cleanups()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxRetainedJobs", "5"), ("Backgrounder:CleanupInterval", "01:00:00"));

        for (var i = 0; i < 40; i++)
        {
            await app.Store.WaitUntilFinishedAsync(await app.StartAsync((_, _) => Task.CompletedTask));
            Assert.InRange((await app.Store.ListAsync()).Count, 1, 5);
        }
    }
}
