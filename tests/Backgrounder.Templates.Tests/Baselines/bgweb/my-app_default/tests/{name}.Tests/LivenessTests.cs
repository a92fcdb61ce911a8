using System.Net;
using my_app.Background;

namespace my_app.Tests;

/// <summary>
/// /alive is liveness: the process answers, nothing external is checked. /healthz is readiness: the store takes
/// writes and the queue has room. An orchestrator restarts on the first and routes on the second.
/// </summary>
public sealed class LivenessTests
{
    [Fact]
    public async Task Alive_is_Healthy_while_readiness_is_Degraded_by_a_nearly_full_queue()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"));
        var client = app.CreatePlainClient();
        var blocker = new ScriptedJob();
        await app.StartAsync(blocker.RunAsync);
        await blocker.Started;
        await app.StartAsync((_, _) => Task.CompletedTask);

        var ready = await client.GetAsync("/healthz");
        var alive = await client.GetAsync("/alive");

        Assert.Equal("Degraded", await ready.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (alive.StatusCode, await alive.Content.ReadAsStringAsync()));
        blocker.Finish();
    }
}
