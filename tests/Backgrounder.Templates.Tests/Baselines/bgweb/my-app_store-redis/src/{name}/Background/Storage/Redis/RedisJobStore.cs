using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// The jobs of every node, in Redis: each node runs the jobs it accepted (a delegate cannot travel), and any node
/// answers for any job. Every change is one Lua script, so a job cannot finish twice and its last line and final
/// state land together; a pub/sub message then tells readers on every node to pull (StackExchange.Redis has no
/// blocking reads). Each node keeps a heartbeat key that expires after <c>Backgrounder:Redis:NodeTimeout</c>; the
/// other nodes mark the jobs of a node whose heartbeat is gone Interrupted, and never run them again.
/// </summary>
internal sealed partial class RedisJobStore(
    IConnectionMultiplexer redis,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    IOptions<RedisStoreOptions> redisOptions,
    ILogger<RedisJobStore> logger) : BackgroundService, IJobStore
{
    private readonly JobChangeSignals _changes = new();
    private readonly string _prefix = redisOptions.Value.KeyPrefix;
    private readonly string _node = options.Value.NodeName;
    private volatile bool _subscribed;

    public event Action<JobId>? CancelRequested;

    private IDatabase Db => redis.GetDatabase();

    private RedisChannel ChangedChannel => RedisChannel.Literal(_prefix + "changed");

    private RedisChannel CancelChannel => RedisChannel.Literal(_prefix + "cancel");

    /// <summary>Subscribes before the app serves anything (or, if Redis is down, at the first heartbeat that reaches it).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Pub/sub says nothing of what happened while the connection was down: every reader pulls again.
        redis.ConnectionRestored += OnConnectionRestored;
        await SubscribeAsync();

        // Alive before it accepts its first job, so no other node ever takes it for gone.
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
            await Db.KeyDeleteAsync(_prefix + "node:" + _node);
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            // Redis is gone too; the heartbeat expires on its own.
        }
    }

    public Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default) =>
        Eval(
            RedisScripts.Create,
            job.Id,
            RedisJobFields.Ticks(job.CreatedAt),
            job.Node ?? _node,
            job.Owner ?? "",
            options.Value.MaxRetainedJobs,
            job.Name,
            job.Kind.ToString(),
            job.Arguments?.GetRawText() ?? "",
            job.Repeats?.ToString() ?? "",
            job.TraceParent ?? "");

    public async Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default)
    {
        var fields = await Call(() => Db.HashGetAllAsync(_prefix + "job:" + id));
        return fields.Length == 0 ? null : RedisJobFields.ToStatus(id, fields.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString()));
    }

    public async Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default)
    {
        var result = (RedisResult[])(await Eval(RedisScripts.ReadLines, id, from))!;
        return new JobLines((long)result[0], [.. ((RedisResult[])result[1]!).Select(line => (string)line!)]);
    }

    public async Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default) =>
        (long)await Eval(RedisScripts.Append, id, [lines.First, options.Value.MaxOutputLines, options.Value.MaxOutputBytes, .. lines.Lines.Select(line => (RedisValue)line)]) == 1;

    public Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default) =>
        Eval(RedisScripts.Progress, id, progress.ToString("R", CultureInfo.InvariantCulture));

    public async Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default) =>
        (long)await Eval(RedisScripts.Start, id, RedisJobFields.Ticks(time.GetUtcNow())) == 1;

    public async Task<bool> TryFinishAsync(JobId id, JobState state, string? error = null, string? finalLine = null, CancellationToken cancellationToken = default) =>
        (long)await Eval(RedisScripts.Finish, id, [.. Finishing(), state.ToString(), error ?? "", finalLine ?? ""]) == 1;

    public async Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default) =>
        (long)await Eval(RedisScripts.Cancel, id, [.. Finishing(), IJobStore.CanceledLine]) == 1;

    public Task NextChange(JobId id) => _changes.Next(id);

    public async Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, string? name = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var index = Index(state, name);
        var stop = take == int.MaxValue ? -1 : (long)skip + take - 1;
        var ids = await Call(() => Db.SortedSetRangeByRankAsync(index, skip, stop, Order.Descending));
        var jobs = await Task.WhenAll(ids.Select(id => JobId.TryParse(id, out var jobId) ? GetAsync(jobId, cancellationToken) : Task.FromResult<JobStatus?>(null)));

        // A finished job whose keys expired before the cleanup swept its index entry is simply gone.
        return [.. jobs.OfType<JobStatus>()];
    }

    public async Task<IReadOnlyDictionary<JobState, int>> CountAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var states = Enum.GetValues<JobState>();
        var counts = await Task.WhenAll(states.Select(state => Call(() => Db.SortedSetLengthAsync(Index(state, name)))));
        return states.Zip(counts).Where(pair => pair.Second > 0).ToDictionary(pair => pair.First, pair => (int)pair.Second);
    }

    /// <summary>The index of the jobs in a state, of a name, of both, or of all: each a sorted set by creation order.</summary>
    private string Index(JobState? state, string? name) => (state, name) switch
    {
        (null, null) => _prefix + "jobs",
        ({ } only, null) => _prefix + "state:" + only,
        (null, { } named) => _prefix + "name:" + named,
        ({ } only, { } named) => _prefix + "name-state:" + only + ":" + named,
    };

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var finishedBefore = (time.GetUtcNow() - options.Value.RetentionPeriod).ToUnixTimeMilliseconds();
        return (int)(long)await Eval(RedisScripts.RemoveExpired, id: null, finishedBefore);
    }

    /// <summary>The heartbeat: this node is alive; the nodes that stopped beating are marked gone, with their jobs.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var beat = new PeriodicTimer(redisOptions.Value.NodeTimeout / 3, time);
        while (await WaitAsync(beat, stoppingToken))
        {
            await SubscribeAsync();
            await BeatAsync();
            try
            {
                await InterruptJobsOfGoneNodesAsync();
                await TakeMissedCancelsAsync();
            }
            catch (Exception exception) when (IsUnavailable(exception))
            {
                LogHeartbeatFailed(exception.Message);
            }
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            await Db.StringSetAsync(_prefix + "node:" + _node, time.GetUtcNow().ToString("O"), redisOptions.Value.NodeTimeout);
            await Db.SetAddAsync(_prefix + "nodes", _node);
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            LogHeartbeatFailed(exception.Message);
        }
    }

    private async Task SubscribeAsync()
    {
        if (_subscribed)
        {
            return;
        }

        try
        {
            // The subscription connection comes up a moment after the one for commands: wait for it (a real-time
            // wait, bounded by the command timeout), or a subscribe made now fails and cancels wait for the next beat.
            var subscriber = redis.GetSubscriber();
            var giveUpAt = Environment.TickCount64 + redis.TimeoutMilliseconds;
            while (redis.IsConnected && !subscriber.IsConnected(CancelChannel) && Environment.TickCount64 < giveUpAt)
            {
                await Task.Delay(10);
            }

            // Once subscribed, the client renews the subscriptions itself after every reconnect.
            await subscriber.SubscribeAsync(ChangedChannel, (_, id) => Notify(id, _changes.Notify));
            await subscriber.SubscribeAsync(CancelChannel, (_, id) => Notify(id, id => CancelRequested?.Invoke(id)));
            _subscribed = true;
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            LogHeartbeatFailed(exception.Message);
        }
    }

    private async Task InterruptJobsOfGoneNodesAsync()
    {
        foreach (var node in await Db.SetMembersAsync(_prefix + "nodes"))
        {
            if (node == _node || await Db.KeyExistsAsync(_prefix + "node:" + node))
            {
                continue;
            }

            // Atomic and idempotent: every node may try, each job is finished once, and none runs again.
            var line = $"Job interrupted: node {node} stopped responding.";
            var interrupted = (long)await Eval(RedisScripts.InterruptNode, id: null, [.. Finishing(), node, line]);
            if (interrupted > 0)
            {
                LogNodeGone(node!, interrupted);
            }
        }
    }

    /// <summary>A cancel whose pub/sub message was lost (pub/sub delivers at most once) still arrives, a beat later.</summary>
    private async Task TakeMissedCancelsAsync()
    {
        var key = _prefix + "node-cancels:" + _node;
        foreach (var id in await Db.SetPopAsync(key, 100))
        {
            Notify(id, id => CancelRequested?.Invoke(id));
        }
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

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _changes.NotifyAll();

    private static void Notify(RedisValue message, Action<JobId> notify)
    {
        if (JobId.TryParse(message, out var id))
        {
            notify(id);
        }
    }

    /// <summary>What every finishing script needs: now, for the record and for retention, and the output limits.</summary>
    private RedisValue[] Finishing()
    {
        var now = time.GetUtcNow();
        return [RedisJobFields.Ticks(now), now.ToUnixTimeMilliseconds(), (long)options.Value.RetentionPeriod.TotalMilliseconds, options.Value.MaxOutputLines, options.Value.MaxOutputBytes];
    }

    private Task<RedisResult> Eval(string script, JobId? id, params RedisValue[] values) =>
        Call(() => Db.ScriptEvaluateAsync(script, [_prefix + "job:" + id], [_prefix, id?.ToString() ?? "", .. values]));

    /// <summary>Redis down, paused or unreachable: a clear 503 for requests, a retry for workers; never a hang past the timeout.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            throw new JobsUnavailableException("The job store (Redis) cannot be reached; try again shortly.", exception);
        }
    }

    /// <summary>Down, paused or unreachable: to be waited out, never a reason for a loop (and the host) to stop.</summary>
    private static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or TimeoutException or JobsUnavailableException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} stopped responding: {Count} of its jobs are now Interrupted.")]
    private partial void LogNodeGone(string node, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's heartbeat could not reach Redis: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);
}
