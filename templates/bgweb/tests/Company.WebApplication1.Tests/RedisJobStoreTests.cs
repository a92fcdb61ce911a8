using System.Net;
using System.Net.Sockets;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Company.WebApplication1.Tests;

/// <summary>
/// The store contract against a real Redis server. Set <c>ConnectionStrings__Redis</c> to run it (the template pack's
/// tests start a redis-server and set it); without it these tests are reported as skipped, saying why.
/// </summary>
public sealed class RedisJobStoreTests : JobStoreContract
{
    private RedisNode? _node;

    protected override async Task<(IJobStore? Store, string? Unavailable)> CreateStoreAsync(BackgrounderOptions options, TimeProvider time)
    {
        if (RedisNode.ConnectionString is null)
        {
            return (null, RedisNode.Unavailable);
        }

        _node = await RedisNode.StartAsync($"test-{Guid.NewGuid():N}:", options, time);
        return (_node.Store, null);
    }

    public override async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}

/// <summary>What only a shared store does: several nodes, one set of jobs.</summary>
public sealed class RedisScaleOutTests
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";

    [SkippableFact]
    public async Task A_cancel_recorded_on_one_node_reaches_the_node_that_holds_the_job()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        await using var a = await NodeAsync("node-a");
        await using var b = await NodeAsync("node-b");
        var id = await CreateOnAsync(a, started: true);
        var heard = CancelHeard(a.Store, id);

        Assert.True(await b.Store.RequestCancelAsync(id));

        await heard.WaitAsync(JobWaiting.Timeout);
        Assert.True((await a.Store.StatusAsync(id)).CancelRequested);
    }

    [SkippableFact]
    public async Task A_cancel_whose_message_was_missed_still_reaches_its_node_at_its_next_heartbeat()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        await using var b = await NodeAsync("node-b");
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await NodeAsync("node-a");
        var id = await CreateOnAsync(a, started: true);
        a.Store.CancelRequested += canceled =>
        {
            if (canceled == id)
            {
                heard.TrySetResult();
            }
        };

        // Node A hears no message (pub/sub delivers at most once): it learns of the cancel when it next beats.
        await a.Redis.GetSubscriber().UnsubscribeAllAsync();
        await b.Store.RequestCancelAsync(id);

        await heard.Task.WaitAsync(JobWaiting.Timeout);
    }

    [SkippableFact]
    public async Task A_node_whose_subscription_connection_comes_up_after_the_one_for_commands_still_hears_cancels()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);

        // As on a loaded machine: the connect gives up waiting for the pub/sub connection and returns; the node starts
        // as that connection comes up. Time stands still, so no heartbeat retries a subscription that start-up missed.
        await using var relay = LaterConnectionsHeldRelay.Start();
        await using var node = await RedisNode.StartAsync(_prefix, new BackgrounderOptions { NodeName = "node-a" }, new TestClock(), connectThrough: relay);
        var id = await CreateOnAsync(node, started: true);
        var heard = CancelHeard(node.Store, id);

        Assert.True(await node.Store.RequestCancelAsync(id));

        await heard.WaitAsync(JobWaiting.Timeout);
    }

    [SkippableFact]
    public async Task When_a_node_stops_beating_another_marks_its_jobs_Interrupted_naming_it_and_never_runs_them()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        await using var b = await NodeAsync("node-b");

        // Jobs of a node that never beat again, as after kill -9: its heartbeat key is simply not there.
        var running = await CreateOnAsync(b, started: true, holder: "node-gone");
        var queued = await CreateOnAsync(b, started: false, holder: "node-gone");

        foreach (var id in new[] { running, queued })
        {
            var status = await b.Store.WaitUntilFinishedAsync(id);
            Assert.Equal(JobState.Interrupted, status.State);
            Assert.Equal("Job interrupted: node node-gone stopped responding.", (await b.Store.LinesAsync(id))[^1]);
            Assert.False(await b.Store.TryStartAsync(id));
        }
    }

    [SkippableFact]
    public async Task An_owner_cookie_signed_on_one_node_opens_on_another()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisNode.ConnectionString!);

        var protectors = Enumerable.Range(0, 2).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddDataProtection().SetApplicationName("Company.WebApplication1");
            services.Configure<KeyManagementOptions>(keys => keys.XmlRepository = new RedisXmlRepository(redis, _prefix + "data-protection-keys"));
            return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        }).ToList();

        Assert.Equal("owner token", protectors[1].Unprotect(protectors[0].Protect("owner token")));
    }

    private Task<RedisNode> NodeAsync(string name, Action<RedisJobStore>? beforeStart = null) =>
        RedisNode.StartAsync(_prefix, new BackgrounderOptions { NodeName = name }, TimeProvider.System, TimeSpan.FromSeconds(1), beforeStart);

    /// <summary>A job recorded through <paramref name="node"/>, held by <paramref name="holder"/> (that node, unless named).</summary>
    private static async Task<JobId> CreateOnAsync(RedisNode node, bool started, string? holder = null)
    {
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow, Node: holder ?? node.Name));
        if (started)
        {
            Assert.True(await node.Store.TryStartAsync(id));
        }

        return id;
    }

    private static Task CancelHeard(IJobStore store, JobId id)
    {
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.CancelRequested += canceled =>
        {
            if (canceled == id)
            {
                heard.TrySetResult();
            }
        };
        return heard.Task;
    }
}

/// <summary>One node's Redis store, connected to the server named by <c>ConnectionStrings__Redis</c>.</summary>
public sealed class RedisNode : IAsyncDisposable
{
    public const string Unavailable =
        "ConnectionStrings__Redis is not set: start a redis-server and set it (ConnectionStrings__Redis=localhost:6379) to test the Redis store.";

    private readonly IConnectionMultiplexer _redis;

    private readonly RedisNodeHeartbeat _heartbeat;

    private RedisNode(IConnectionMultiplexer redis, RedisJobStore store, RedisNodeHeartbeat heartbeat, string name) =>
        (_redis, Store, _heartbeat, Name) = (redis, store, heartbeat, name);

    public static string? ConnectionString => Environment.GetEnvironmentVariable("ConnectionStrings__Redis") is { Length: > 0 } value ? value : null;

    internal RedisJobStore Store { get; }

    internal IConnectionMultiplexer Redis => _redis;

    public string Name { get; }

    internal static async Task<RedisNode> StartAsync(
        string keyPrefix,
        BackgrounderOptions options,
        TimeProvider time,
        TimeSpan? nodeTimeout = null,
        Action<RedisJobStore>? beforeStart = null,
        LaterConnectionsHeldRelay? connectThrough = null)
    {
        var redisOptions = new RedisStoreOptions { ConnectionString = ConnectionString, KeyPrefix = keyPrefix, NodeTimeout = nodeTimeout ?? TimeSpan.FromSeconds(15) };
        var connection = redisOptions.Connection();
        if (connectThrough is not null)
        {
            connection.EndPoints.Clear();
            connection.EndPoints.Add(connectThrough.EndPoint);
        }

        var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var (backgrounder, redisSettings) = (Microsoft.Extensions.Options.Options.Create(options), Microsoft.Extensions.Options.Options.Create(redisOptions));
        var store = new RedisJobStore(redis, time, backgrounder, redisSettings);
        var keys = new RedisXmlRepository(redis, keyPrefix + "data-protection-keys");
        var heartbeat = new RedisNodeHeartbeat(redis, store, keys, time, backgrounder, redisSettings, NullLogger<RedisNodeHeartbeat>.Instance);
        beforeStart?.Invoke(store);
        var starting = heartbeat.StartAsync(CancellationToken.None);
        if (connectThrough is not null)
        {
            // The pub/sub connection comes up while the node starts: a node that waits for it sees it, one that
            // does not has started without it by then.
            await Task.WhenAny(starting, Task.Delay(TimeSpan.FromMilliseconds(200)));
            connectThrough.Release();
        }

        await starting;
        return new RedisNode(redis, store, heartbeat, options.NodeName);
    }

    public async ValueTask DisposeAsync()
    {
        await _heartbeat.StopAsync(CancellationToken.None);
        _heartbeat.Dispose();
        await _redis.DisposeAsync();
    }
}

/// <summary>
/// A TCP relay to the test's Redis that lets the first connection through at once and holds every later one until
/// <see cref="Release"/>: a client's connection for commands is then up while its pub/sub connection is not.
/// </summary>
internal sealed class LaterConnectionsHeldRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopped = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _accepting = Task.CompletedTask;

    private LaterConnectionsHeldRelay()
    {
    }

    public EndPoint EndPoint => _listener.LocalEndpoint;

    public static LaterConnectionsHeldRelay Start()
    {
        var relay = new LaterConnectionsHeldRelay();
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync();
        return relay;
    }

    public void Release() => _released.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _stopped.Cancel();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopped.Dispose();
    }

    private async Task AcceptAsync()
    {
        var redis = ConfigurationOptions.Parse(RedisNode.ConnectionString!).EndPoints[0];
        for (var accepted = 0; !_stopped.IsCancellationRequested; accepted++)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopped.Token);
            _ = RelayAsync(client, redis, held: accepted > 0);
        }
    }

    private async Task RelayAsync(TcpClient client, EndPoint redis, bool held)
    {
        using (client)
        using (var server = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                if (held)
                {
                    await _released.Task.WaitAsync(_stopped.Token);
                }

                await server.ConnectAsync(redis, _stopped.Token);
                await using var toServer = new NetworkStream(server);
                var toClient = client.GetStream();
                await Task.WhenAny(toClient.CopyToAsync(toServer, _stopped.Token), toServer.CopyToAsync(toClient, _stopped.Token));
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
            {
                // The relay or one of its ends closed.
            }
        }
    }
}
