using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Acme.Shop.Tests;

/// <summary>
/// With Redis, Backgrounder:StartsPerMinutePerClient holds for all nodes together (a load balancer sends a client's
/// starts to any node); a start Redis cannot count is a 503 with Retry-After, as any start while Redis is unavailable.
/// </summary>
public sealed class RedisStartLimitTests
{
    private const string Client = "203.0.113.7";

    private const string OtherClient = "198.51.100.20";

    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";

    [SkippableFact]
    public async Task A_clients_starts_are_counted_for_all_nodes_together_and_another_client_is_not_affected()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        using var a = Node("node-a");
        using var b = Node("node-b");

        var first = await StartAsync(a, Client);
        var second = await StartAsync(b, Client);
        var other = await StartAsync(b, OtherClient);

        Assert.Equal(
            (HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests, HttpStatusCode.SeeOther),
            (first.StatusCode, second.StatusCode, other.StatusCode));
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await a.Store.ListAsync()).Count);
    }

    [SkippableFact]
    public async Task A_start_Redis_cannot_count_is_503_with_Retry_After_and_records_nothing()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        using var node = Node("node-a");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisNode.ConnectionString!);

        // Any server error will do (OOM, READONLY): here the client's counter is the wrong type.
        await redis.GetDatabase().HashSetAsync(_prefix + "starts:" + Client, "not", "a counter");
        var refused = await StartAsync(node, Client);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("WRONGTYPE", await refused.Content.ReadAsStringAsync());
        Assert.Empty(await node.Store.ListAsync());
    }

    /// <summary>One node of this test's own: its keys under the test's prefix in the Redis the tests share.</summary>
    private BackgrounderAppFactory Node(string name) =>
        new(
            ("Backgrounder:NodeName", name),
            ("ConnectionStrings:Redis", RedisNode.ConnectionString!),
            ("Backgrounder:Redis:KeyPrefix", _prefix),
            ("Backgrounder:Redis:NodeTimeout", "00:00:01"),
            ("Backgrounder:StartsPerMinutePerClient", "1"))
        {
            CheckRedisSettings = true,
            ConfigureTestServices = services => services.AddSingleton<IStartupFilter, TestPeerStartupFilter>(),
        };

    private static Task<HttpResponseMessage> StartAsync(BackgrounderAppFactory node, string client) =>
        node.CreatePlainClient().SendAsync(TestPeerStartupFilter.Get(TestEndpoints.StartJob, client));
}
