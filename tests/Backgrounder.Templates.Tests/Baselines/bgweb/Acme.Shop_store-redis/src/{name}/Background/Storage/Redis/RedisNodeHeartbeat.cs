using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>
/// This node's life in Redis. Its heartbeat key expires after <c>Backgrounder:Redis:NodeTimeout</c> and is renewed
/// every third of it; at each beat the node also marks the jobs of nodes whose heartbeat is gone Interrupted (only
/// once it has beaten for a whole timeout itself, so an outage that expired every heartbeat kills nobody), takes
/// cancels whose message was lost, and repairs what Redis lost or got late. It never stops the host: a failed beat
/// is logged and the next one tries again.
/// </summary>
internal sealed partial class RedisNodeHeartbeat(
    IConnectionMultiplexer redis,
    RedisJobStore store,
    RedisXmlRepository keys,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    IOptions<RedisStoreOptions> redisOptions,
    ILogger<RedisNodeHeartbeat> logger) : BackgroundService
{
    private readonly string _node = options.Value.NodeName;
    private readonly TimeSpan _timeout = redisOptions.Value.NodeTimeout;
    private readonly RedisNodeName _name = new(redis, store, options.Value.NodeName);
    private bool _subscribed;
    private bool _policyUnknownLogged;
    private DateTimeOffset? _beatingSince;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Before the app serves anything: refuses a Redis that evicts and a node name another live process holds, then
    /// beats, so no other node ever takes this one for gone. With Redis unreachable it starts anyway; the beats check.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            if (await ReadPolicyAsync() is { } policy && policy != RedisEvictionPolicy.Safe && !redisOptions.Value.AllowEviction)
            {
                throw new InvalidOperationException(RedisEvictionPolicy.Refusal(policy));
            }

            // A heartbeat period and half of another: a live run's next beat lands within it even if its timer is late.
            await _name.ClaimAtStartAsync(() => Task.Delay(_timeout / 2, time, cancellationToken));
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception))
        {
            LogHeartbeatFailed(RedisJobStore.Reason(exception));
        }

        await BeatAsync();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        redis.ConnectionRestored -= OnConnectionRestored;

        // Jobs of this node that shutdown could not finish are marked by the other nodes at once, not after a timeout.
        try
        {
            // Only this run's beat: a process that took the name over keeps its own.
            await Db.ScriptEvaluateAsync(
                "if string.sub(redis.call('GET', KEYS[1]) or '', 1, #ARGV[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                [_name.HeartbeatKey],
                [store.Node.RunId]);
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception) || exception is ObjectDisposedException)
        {
            // Redis is gone too, or the host is being disposed meanwhile: the heartbeat expires on its own.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var beat = new PeriodicTimer(_timeout / 3, time);
        while (await WaitAsync(beat, stoppingToken))
        {
            await BeatAsync();
            try
            {
                if (store.Node.Unready is null && _beatingSince is not null)
                {
                    await InterruptJobsOfGoneNodesAsync();
                    await TakeMissedCancelsAsync();
                    store.NotifyScheduled();
                    await RepairAsync();
                }
            }
            catch (Exception exception)
            {
                // Redis down, refusing writes, or anything else: the next beat tries again.
                LogHeartbeatFailed(RedisJobStore.IsUnavailable(exception) ? RedisJobStore.Reason(exception) : exception.Message);
            }
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            if (!_subscribed)
            {
                await SubscribeAsync();
            }

            var policy = await ReadPolicyAsync();
            store.Node.EvictionRefused(policy is not null && policy != RedisEvictionPolicy.Safe && !redisOptions.Value.AllowEviction
                ? RedisEvictionPolicy.Refusal(policy)
                : null);
            if (!_name.Claimed && !await _name.TryClaimAsync())
            {
                return;
            }

            await Db.StringSetAsync(_name.HeartbeatKey, _name.Beat(time.GetUtcNow()), _timeout);
            await Db.SetAddAsync(store.Prefix + "nodes", _node);
            _beatingSince ??= time.GetUtcNow();
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception))
        {
            _beatingSince = null;
            LogHeartbeatFailed(RedisJobStore.Reason(exception));
        }
    }

    private async Task SubscribeAsync()
    {
        // The subscription connection comes up a moment after the one for commands: wait for it (a real-time wait,
        // bounded by the command timeout), or a subscribe made now fails and cancels wait for the next beat.
        var giveUpAt = Environment.TickCount64 + redis.TimeoutMilliseconds;
        while (redis.IsConnected && !store.IsSubscribed() && Environment.TickCount64 < giveUpAt)
        {
            await Task.Delay(10);
        }

        await store.SubscribeAsync();
        _subscribed = true;
    }

    private async Task InterruptJobsOfGoneNodesAsync()
    {
        // After an outage every heartbeat may have expired: each node first gets a whole timeout to beat again.
        if (time.GetUtcNow() - _beatingSince < _timeout)
        {
            return;
        }

        foreach (var node in await Db.SetMembersAsync(store.Prefix + "nodes"))
        {
            if (node == _node || await Db.KeyExistsAsync(store.Prefix + "node:" + node))
            {
                continue;
            }

            // Atomic and idempotent: every node may try, each job is finished once, and none runs again.
            var interrupted = await store.InterruptNodeAsync(node!, $"node {node} stopped responding", takeOver: false);
            if (interrupted > 0)
            {
                LogNodeGone(node!, interrupted);
            }
        }
    }

    /// <summary>A cancel whose pub/sub message was lost (pub/sub delivers at most once) still arrives, a beat later.</summary>
    private async Task TakeMissedCancelsAsync()
    {
        foreach (var id in await Db.SetPopAsync(store.Prefix + "node-cancels:" + _node, 100))
        {
            if (JobId.TryParse(id, out var jobId))
            {
                store.OnCancelRequested(jobId);
            }
        }
    }

    /// <summary>What Redis lost or got late: refused starts that arrived after all, held jobs it forgot, the key ring.</summary>
    private async Task RepairAsync()
    {
        foreach (var id in store.Held.Abandoned.ToList())
        {
            await store.AbandonAsync(id);
        }

        if (store.Held.Held.ToList() is { Count: > 0 } held)
        {
            foreach (var id in await store.MissingAsync(held))
            {
                if (await store.RestoreAsync(id))
                {
                    LogRestored(id);
                }
            }
        }

        await keys.RestoreIfMissingAsync();
    }

    private async Task<string?> ReadPolicyAsync()
    {
        var policy = await RedisEvictionPolicy.ReadAsync(Db);
        if (policy is null && !_policyUnknownLogged)
        {
            // Some managed Redis services hide INFO: then the operator has to make sure of it.
            _policyUnknownLogged = true;
            LogPolicyUnknown();
        }

        return policy;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => store.NotifyAll();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} stopped responding: {Count} of its jobs are now Interrupted (or scheduled again, if their class allows it).")]
    private partial void LogNodeGone(string node, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's heartbeat could not reach Redis: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was missing from Redis (restarted without persistence, or flushed): written back from this node.")]
    private partial void LogRestored(JobId jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis does not tell its maxmemory-policy (INFO memory): make sure it is noeviction, or jobs may be evicted.")]
    private partial void LogPolicyUnknown();
}
