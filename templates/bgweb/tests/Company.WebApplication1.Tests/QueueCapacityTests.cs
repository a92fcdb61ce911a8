using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

public sealed class QueueCapacityTests
{
    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_records_no_job()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"));
        var busy = app.GetJob(app.Jobs.Start((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken)));
        await WaitUntilRunningAsync(busy);
        app.Jobs.Start((_, _) => Task.CompletedTask);

        var response = await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Equal(2, app.Store.Count);
    }

    private static async Task WaitUntilRunningAsync(Job job)
    {
        var deadline = DateTime.UtcNow + JobWaiting.Timeout;
        while (job.Status.State == JobState.Queued && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        Assert.Equal(JobState.Running, job.Status.State);
    }
}
