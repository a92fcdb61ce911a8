using System.Net;
using Acme.Shop.Background;

namespace Acme.Shop.Tests;

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

    [Fact]
    public async Task Alive_is_Healthy_while_Redis_is_unreachable_and_readiness_is_503()
    {
        // Nothing listens on port 1: the node cannot reach its store.
        using var app = new BackgrounderAppFactory(("ConnectionStrings:Redis", "127.0.0.1:1,connectTimeout=200"))
        {
            Environment = "Production",
            CheckRedisSettings = true,
        };
        var client = app.CreatePlainClient();

        var ready = await client.GetAsync("/healthz");
        var alive = await client.GetAsync("/alive");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (alive.StatusCode, await alive.Content.ReadAsStringAsync()));
    }
}
