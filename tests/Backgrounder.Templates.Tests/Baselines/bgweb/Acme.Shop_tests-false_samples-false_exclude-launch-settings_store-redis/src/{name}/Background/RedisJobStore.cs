using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Acme.Shop.Background;

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
        Eval(Scripts.Create, job.Id, Ticks(job.CreatedAt), job.Node ?? _node, job.Owner ?? "", options.Value.MaxRetainedJobs);

    public async Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default)
    {
        var fields = await Call(() => Db.HashGetAllAsync(_prefix + "job:" + id));
        return fields.Length == 0 ? null : ToStatus(id, fields.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString()));
    }

    public async Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default)
    {
        var result = (RedisResult[])(await Eval(Scripts.ReadLines, id, from))!;
        return new JobLines((long)result[0], [.. ((RedisResult[])result[1]!).Select(line => (string)line!)]);
    }

    public async Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default) =>
        (long)await Eval(Scripts.Append, id, [lines.First, options.Value.MaxOutputLines, options.Value.MaxOutputBytes, .. lines.Lines.Select(line => (RedisValue)line)]) == 1;

    public Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default) =>
        Eval(Scripts.Progress, id, progress.ToString("R", CultureInfo.InvariantCulture));

    public async Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default) =>
        (long)await Eval(Scripts.Start, id, Ticks(time.GetUtcNow())) == 1;

    public async Task<bool> TryFinishAsync(JobId id, JobState state, string? error = null, string? finalLine = null, CancellationToken cancellationToken = default) =>
        (long)await Eval(Scripts.Finish, id, [.. Finishing(), state.ToString(), error ?? "", finalLine ?? ""]) == 1;

    public async Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default) =>
        (long)await Eval(Scripts.Cancel, id, [.. Finishing(), IJobStore.CanceledLine]) == 1;

    public Task NextChange(JobId id) => _changes.Next(id);

    public async Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var index = state is { } only ? _prefix + "state:" + only : _prefix + "jobs";
        var stop = take == int.MaxValue ? -1 : (long)skip + take - 1;
        var ids = await Call(() => Db.SortedSetRangeByRankAsync(index, skip, stop, Order.Descending));
        var jobs = await Task.WhenAll(ids.Select(id => JobId.TryParse(id, out var jobId) ? GetAsync(jobId, cancellationToken) : Task.FromResult<JobStatus?>(null)));

        // A finished job whose keys expired before the cleanup swept its index entry is simply gone.
        return [.. jobs.OfType<JobStatus>()];
    }

    public async Task<IReadOnlyDictionary<JobState, int>> CountAsync(CancellationToken cancellationToken = default)
    {
        var states = Enum.GetValues<JobState>();
        var counts = await Task.WhenAll(states.Select(state => Call(() => Db.SortedSetLengthAsync(_prefix + "state:" + state))));
        return states.Zip(counts).Where(pair => pair.Second > 0).ToDictionary(pair => pair.First, pair => (int)pair.Second);
    }

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var finishedBefore = (time.GetUtcNow() - options.Value.RetentionPeriod).ToUnixTimeMilliseconds();
        return (int)(long)await Eval(Scripts.RemoveExpired, id: null, finishedBefore);
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
            var interrupted = (long)await Eval(Scripts.InterruptNode, id: null, [.. Finishing(), node, line]);
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
        return [Ticks(now), now.ToUnixTimeMilliseconds(), (long)options.Value.RetentionPeriod.TotalMilliseconds, options.Value.MaxOutputLines, options.Value.MaxOutputBytes];
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

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var ticks) ? new DateTimeOffset(long.Parse(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero) : null;

    private static JobStatus ToStatus(JobId id, Dictionary<string, string> fields) =>
        new(
            id,
            Enum.Parse<JobState>(fields["state"]),
            Time(fields, "created")!.Value,
            Time(fields, "started"),
            Time(fields, "finished"),
            fields.TryGetValue("progress", out var progress) ? double.Parse(progress, CultureInfo.InvariantCulture) : null,
            fields.GetValueOrDefault("error"),
            fields.GetValueOrDefault("cancel") == "1",
            fields.GetValueOrDefault("node"),
            long.Parse(fields["lines"], CultureInfo.InvariantCulture),
            long.Parse(fields["dropped"], CultureInfo.InvariantCulture))
        {
            Owner = fields.GetValueOrDefault("owner") is { Length: > 0 } owner ? owner : null,
        };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} stopped responding: {Count} of its jobs are now Interrupted.")]
    private partial void LogNodeGone(string node, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's heartbeat could not reach Redis: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);

    /// <summary>
    /// The Lua scripts, one per change. Keys: <c>job:{id}</c> (a hash), <c>lines:{id}</c> (the kept lines, a list),
    /// <c>jobs</c> and <c>state:{state}</c> (indexes by creation order), <c>finished</c> (by finish time, for
    /// retention), <c>node-jobs:{node}</c> and <c>node:{node}</c> (a node's jobs and its heartbeat). ARGV[1] is the
    /// key prefix, ARGV[2] the job id; every change is published on the <c>changed</c> channel.
    /// </summary>
    private static class Scripts
    {
        private const string Common = """
            local P, id = ARGV[1], ARGV[2]
            local function changed(jobId) redis.call('PUBLISH', P .. 'changed', jobId) end
            local function isFinal(state) return state ~= 'Queued' and state ~= 'Running' end

            -- Appends one line and drops the oldest past the line and byte limits; the newest always stays.
            local function add(jobId, line, maxLines, maxBytes)
              local job, lines = P .. 'job:' .. jobId, P .. 'lines:' .. jobId
              redis.call('RPUSH', lines, line)
              local count = redis.call('HINCRBY', job, 'lines', 1)
              local bytes = redis.call('HINCRBY', job, 'bytes', #line)
              local kept = redis.call('LLEN', lines)
              while kept > maxLines or (bytes > maxBytes and kept > 1) do
                bytes = bytes - #redis.call('LPOP', lines)
                kept = kept - 1
              end
              redis.call('HSET', job, 'bytes', bytes, 'dropped', count - kept)
            end

            -- The final state, its last line and the keys' time to live, in one step.
            local function finish(jobId, state, now, nowMs, retentionMs, maxLines, maxBytes, err, line, cancel)
              local job = P .. 'job:' .. jobId
              local from = redis.call('HGET', job, 'state')
              if not from or isFinal(from) then return 0 end
              if line ~= '' then add(jobId, line, maxLines, maxBytes) end
              redis.call('HSET', job, 'state', state, 'finished', now)
              if err ~= '' then redis.call('HSET', job, 'error', err) end
              if cancel then redis.call('HSET', job, 'cancel', 1) end
              local seq = redis.call('HGET', job, 'seq')
              redis.call('ZREM', P .. 'state:' .. from, jobId)
              redis.call('ZADD', P .. 'state:' .. state, seq, jobId)
              redis.call('ZADD', P .. 'finished', nowMs, jobId)
              redis.call('SREM', P .. 'node-jobs:' .. redis.call('HGET', job, 'node'), jobId)
              redis.call('PEXPIRE', job, retentionMs)
              redis.call('PEXPIRE', P .. 'lines:' .. jobId, retentionMs)
              changed(jobId)
              return 1
            end

            local function remove(jobId)
              local state = redis.call('HGET', P .. 'job:' .. jobId, 'state')
              redis.call('DEL', P .. 'job:' .. jobId, P .. 'lines:' .. jobId)
              redis.call('ZREM', P .. 'jobs', jobId)
              redis.call('ZREM', P .. 'finished', jobId)
              for _, s in ipairs({'Succeeded', 'Failed', 'Canceled', 'Interrupted'}) do redis.call('ZREM', P .. 'state:' .. s, jobId) end
              changed(jobId)
            end

            """;

        // ARGV: P, id, created, node, owner, maxRetained
        public const string Create = Common + """
            local job = P .. 'job:' .. id
            if redis.call('EXISTS', job) == 1 then return redis.error_reply('job ' .. id .. ' exists') end
            -- MaxRetainedJobs across every node: the oldest finished jobs make room, never a queued or running one.
            local total = redis.call('ZCARD', P .. 'jobs')
            while total >= tonumber(ARGV[6]) do
              local oldest = redis.call('ZRANGE', P .. 'finished', 0, 0)
              if #oldest == 0 then break end
              remove(oldest[1])
              total = total - 1
            end
            local seq = redis.call('INCR', P .. 'seq')
            redis.call('HSET', job, 'state', 'Queued', 'created', ARGV[3], 'node', ARGV[4], 'owner', ARGV[5],
              'lines', 0, 'dropped', 0, 'bytes', 0, 'cancel', 0, 'seq', seq)
            redis.call('ZADD', P .. 'jobs', seq, id)
            redis.call('ZADD', P .. 'state:Queued', seq, id)
            redis.call('SADD', P .. 'node-jobs:' .. ARGV[4], id)
            redis.call('SADD', P .. 'nodes', ARGV[4])
            return 1
            """;

        // ARGV: P, id, from
        public const string ReadLines = """
            local P, id, from = ARGV[1], ARGV[2], tonumber(ARGV[3])
            local count = tonumber(redis.call('HGET', P .. 'job:' .. id, 'lines'))
            if not count then return {from, {}} end
            local kept = redis.call('LLEN', P .. 'lines:' .. id)
            local first = count - kept
            local start = math.min(math.max(from, first), count)
            return {start, redis.call('LRANGE', P .. 'lines:' .. id, start - first, -1)}
            """;

        // ARGV: P, id, first, maxLines, maxBytes, lines... Lines the store has already (a retried call) are skipped.
        public const string Append = Common + """
            local job = P .. 'job:' .. id
            local state = redis.call('HGET', job, 'state')
            if not state or isFinal(state) then return 0 end
            local first, count = tonumber(ARGV[3]), tonumber(redis.call('HGET', job, 'lines'))
            if first > count then
              -- Lines were dropped on the way: they are newer than every kept line, so those go too.
              redis.call('DEL', P .. 'lines:' .. id)
              redis.call('HSET', job, 'lines', first, 'dropped', first, 'bytes', 0)
              count = first
            end
            for i = 6 + count - first, #ARGV do add(id, ARGV[i], tonumber(ARGV[4]), tonumber(ARGV[5])) end
            changed(id)
            return 1
            """;

        // ARGV: P, id, progress
        public const string Progress = Common + """
            local job = P .. 'job:' .. id
            local state = redis.call('HGET', job, 'state')
            if not state or isFinal(state) or redis.call('HGET', job, 'progress') == ARGV[3] then return 0 end
            redis.call('HSET', job, 'progress', ARGV[3])
            changed(id)
            return 1
            """;

        // ARGV: P, id, now
        public const string Start = Common + """
            local job = P .. 'job:' .. id
            if redis.call('HGET', job, 'state') ~= 'Queued' then return 0 end
            redis.call('HSET', job, 'state', 'Running', 'started', ARGV[3])
            local seq = redis.call('HGET', job, 'seq')
            redis.call('ZREM', P .. 'state:Queued', id)
            redis.call('ZADD', P .. 'state:Running', seq, id)
            changed(id)
            return 1
            """;

        // ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, state, error, finalLine
        public const string Finish = Common + """
            return finish(id, ARGV[8], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[9], ARGV[10], false)
            """;

        // ARGV: P, id, now, nowMs, retentionMs, maxLines, maxBytes, canceledLine
        public const string Cancel = Common + """
            local job = P .. 'job:' .. id
            local state = redis.call('HGET', job, 'state')
            if not state or isFinal(state) then return 0 end
            if state == 'Queued' then
              finish(id, 'Canceled', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[8], true)
            else
              redis.call('HSET', job, 'cancel', 1)
              changed(id)
            end
            -- The node that holds the job hears it now, or at its next heartbeat if the message is lost.
            redis.call('SADD', P .. 'node-cancels:' .. redis.call('HGET', job, 'node'), id)
            redis.call('PUBLISH', P .. 'cancel', id)
            return 1
            """;

        // ARGV: P, '', now, nowMs, retentionMs, maxLines, maxBytes, node, line
        public const string InterruptNode = Common + """
            local node = ARGV[8]
            if redis.call('EXISTS', P .. 'node:' .. node) == 1 then return 0 end
            local count = 0
            for _, jobId in ipairs(redis.call('SMEMBERS', P .. 'node-jobs:' .. node)) do
              count = count + finish(jobId, 'Interrupted', ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), '', ARGV[9], false)
            end
            redis.call('DEL', P .. 'node-jobs:' .. node, P .. 'node-cancels:' .. node)
            redis.call('SREM', P .. 'nodes', node)
            return count
            """;

        // ARGV: P, '', finishedBeforeMs
        public const string RemoveExpired = Common + """
            local expired = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', ARGV[3], 'LIMIT', 0, 1000)
            for _, jobId in ipairs(expired) do remove(jobId) end
            return #expired
            """;
    }
}

/// <summary>The <c>Backgrounder:Redis</c> section, and <c>ConnectionStrings:Redis</c>.</summary>
internal sealed class RedisStoreOptions
{
    public const string SectionName = "Backgrounder:Redis";
    public const string ConnectionStringSetting = "ConnectionStrings:Redis";

    public string? ConnectionString { get; set; }

    /// <summary>Starts every key, so several apps can share one Redis; a hash tag (<c>{backgrounder}:</c>) suits Redis Cluster.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Backgrounder:Redis:KeyPrefix must not be empty.")]
    public string KeyPrefix { get; set; } = "backgrounder:";

    /// <summary>How long a node may miss its heartbeat (one every third of this) before its jobs are marked Interrupted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Backgrounder:Redis:NodeTimeout must be from 00:00:01 to 01:00:00.")]
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The connection string with the defaults this app relies on; its own settings win.</summary>
    public ConfigurationOptions Connection()
    {
        // Fail fast when disconnected and time out after 3 s, so no request waits long on a Redis that is gone.
        var connection = ConfigurationOptions.Parse("abortConnect=false,connectTimeout=3000,syncTimeout=3000,asyncTimeout=3000," + ConnectionString);
        connection.BacklogPolicy = BacklogPolicy.FailFast;
        return connection;
    }

    public static bool IsValid(string? connectionString)
    {
        try
        {
            return ConfigurationOptions.Parse(connectionString!).EndPoints.Count > 0;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            return false;
        }
    }
}

/// <summary>Registers the Redis store when <c>ConnectionStrings:Redis</c> is set; it is required outside Development.</summary>
internal static class RedisJobStoreRegistration
{
    public static void AddRedisJobStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Redis");
        services.AddOptions<RedisStoreOptions>()
            .Bind(configuration.GetSection(RedisStoreOptions.SectionName))
            .Configure(redis => redis.ConnectionString = connectionString)
            .ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (redis, environment) => !string.IsNullOrWhiteSpace(redis.ConnectionString) || environment.IsDevelopment(),
                $"{RedisStoreOptions.ConnectionStringSetting} is required: the Redis server the nodes share jobs through, such as redis.example:6379.")
            .Validate(
                redis => string.IsNullOrWhiteSpace(redis.ConnectionString) || RedisStoreOptions.IsValid(redis.ConnectionString),
                $"{RedisStoreOptions.ConnectionStringSetting} is not a Redis connection string such as localhost:6379 or redis.example:6380,ssl=true,password=….")
            .ValidateOnStart();

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // Development without Redis: the in-memory store (a single node), as the tests use it.
            return;
        }

        services.AddSingleton<IConnectionMultiplexer>(provider =>
            ConnectionMultiplexer.Connect(provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value.Connection()));
        services.AddSingleton<RedisJobStore>();
        services.AddSingleton<IJobStore>(provider => provider.GetRequiredService<RedisJobStore>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisJobStore>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");

        // Owner cookies minted on one node must open on every other: the Data Protection keys live in Redis too.
        services.AddDataProtection().SetApplicationName("Acme.Shop");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IConnectionMultiplexer, IOptions<RedisStoreOptions>>((keys, redis, redisOptions) =>
                keys.XmlRepository = new RedisXmlRepository(redis, redisOptions.Value.KeyPrefix + "data-protection-keys"));
    }
}

/// <summary>Unhealthy while Redis cannot be reached: this node can neither start nor show jobs.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis cannot be reached.", exception);
        }
    }
}

/// <summary>The Data Protection key ring in a Redis list, shared by every node.</summary>
internal sealed class RedisXmlRepository(IConnectionMultiplexer redis, RedisKey key) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. redis.GetDatabase().ListRange(key).Select(element => XElement.Parse(element!))];

    public void StoreElement(XElement element, string friendlyName) =>
        redis.GetDatabase().ListRightPush(key, element.ToString(SaveOptions.DisableFormatting));
}

/// <summary>
/// The waiters of <see cref="IJobStore.NextChange"/>, per job. Costs nothing while nobody follows a job, so a
/// chatty job pays nothing for readers it does not have.
/// </summary>
internal sealed class JobChangeSignals
{
    private readonly ConcurrentDictionary<JobId, TaskCompletionSource> _waiters = new();

    public Task Next(JobId id) =>
        _waiters.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(JobId id)
    {
        // Looked up first, without a lock: most changes have no follower, and a removal always takes one.
        if (_waiters.ContainsKey(id) && _waiters.TryRemove(id, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter, as after a lost connection: each pulls again from where it was.</summary>
    public void NotifyAll()
    {
        foreach (var id in _waiters.Keys)
        {
            Notify(id);
        }
    }
}
