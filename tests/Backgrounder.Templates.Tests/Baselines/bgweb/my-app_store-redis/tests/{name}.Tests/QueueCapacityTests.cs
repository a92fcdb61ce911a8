using System.Net;
using my_app.Background;

namespace my_app.Tests;

/// <summary>The queue holds QueueCapacity jobs; a job canceled while it waits gives its slot back at once.</summary>
public sealed class QueueCapacityTests
{
    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_records_no_job()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"));
        var busy = new ScriptedJob();
        await app.StartAsync(busy.RunAsync);
        await busy.Started;
        await app.StartAsync((_, _) => Task.CompletedTask);

        var response = await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Equal(2, (await app.Store.ListAsync()).Count);
        busy.Finish();
    }

    [Fact]
    public async Task Canceling_every_queued_job_frees_every_slot_at_once_for_new_starts_and_for_health()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "2"), ("Backgrounder:QueueCapacity", "100"));
        var client = app.CreatePlainClient();
        var busy = new[] { new ScriptedJob(), new ScriptedJob() };
        foreach (var job in busy)
        {
            await app.StartAsync(job.RunAsync);
            await job.Started;
        }

        var queued = new List<JobId>();
        for (var i = 0; i < 100; i++)
        {
            queued.Add(await app.StartAsync((_, _) => Task.CompletedTask));
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(TestEndpoints.StartJob)).StatusCode);
        Assert.Equal("Degraded", await client.GetStringAsync("/healthz"));

        foreach (var id in queued)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        }

        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync(TestEndpoints.StartJob)).StatusCode);
        }

        foreach (var job in busy)
        {
            job.Finish();
        }
    }
}
