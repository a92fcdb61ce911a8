using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// The jobs of every node, in Redis: each node runs the jobs it accepted (a delegate cannot travel), and any node
/// answers for any job. Every change is one Lua script, so a job cannot finish twice and its last line and final
/// state land together; a pub/sub message then tells readers on every node to pull (StackExchange.Redis has no
/// blocking reads). Any Redis error is unavailability (503), never a failure: every script is safe to apply late or
/// twice, and a job Redis forgot while this node holds it is written back (<see cref="RedisHeldJobs"/>).
/// <see cref="RedisNodeHeartbeat"/> keeps the node alive and does its share of the repairs.
/// </summary>
internal sealed partial class RedisJobStore(
    IConnectionMultiplexer redis,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    IOptions<RedisStoreOptions> redisOptions) : IJobStore
{
    // Pages of 1,000 lines to read, as appends go in bounded batches (RedisLineBatches): no job's output holds Redis
    // for the other nodes for more than a few milliseconds.
    private const int MaxLinesPerRead = 1000;

    private readonly JobChangeSignals _changes = new();

    // Starts whose call failed: one applied late is this run's, and its retry takes the job (never drops it).
    private readonly ConcurrentDictionary<JobId, byte> _startsSent = new();
    private readonly string _prefix = redisOptions.Value.KeyPrefix;

    public event Action<JobId>? CancelRequested;

    public RedisNodeState Node { get; } = new();

    public RedisHeldJobs Held { get; } = new();

    public string Prefix => _prefix;

    private IDatabase Db => redis.GetDatabase();

    private RedisChannel ChangedChannel => RedisChannel.Literal(_prefix + "changed");

    private RedisChannel CancelChannel => RedisChannel.Literal(_prefix + "cancel");

    public async Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default)
    {
        // A scheduled job is on no node until one claims it; a queued one is this node's to run.
        var scheduled = job.State == JobState.Scheduled;
        if (!scheduled)
        {
            job = job.Node is null ? job with { Node = options.Value.NodeName } : job;
            Held.Hold(job);
        }

        long created;
        try
        {
            created = (long)await Eval(
                RedisScripts.Create,
                job.Id,
                [
                    options.Value.MaxRetainedJobs, options.Value.MaxScheduledJobs, job.RunAt?.ToUnixTimeMilliseconds() ?? 0,
                    .. Placement(job), .. RedisJobFields.ToFields(job),
                ]);
        }
        catch
        {
            // The start is refused, yet the create may still reach Redis: the heartbeat removes it if it does.
            Held.Abandon(job.Id);
            throw;
        }

        if (created == -2)
        {
            throw new JobsUnavailableException(
                $"{options.Value.MaxScheduledJobs} jobs are scheduled already (Backgrounder:MaxScheduledJobs); try again once some have run.");
        }
    }

    public async Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default)
    {
        var fields = await Call(() => Db.HashGetAllAsync(_prefix + "job:" + id));
        return fields.Length == 0 ? null : RedisJobFields.ToStatus(id, fields.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString()));
    }

    public async Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default)
    {
        var lines = new List<string>();
        var first = from;
        while (true)
        {
            var page = (RedisResult[])(await Eval(RedisScripts.ReadLines, id, from, MaxLinesPerRead))!;
            var (start, count) = ((long)page[0], (long)page[2]);
            if (start != from)
            {
                // Lines were dropped between two pages: the answer starts again from the oldest line still kept.
                (lines, first) = ([], start);
            }

            lines.AddRange(((RedisResult[])page[1]!).Select(line => (string)line!));
            from = first + lines.Count;
            if (from >= count)
            {
                return new JobLines(first, lines);
            }
        }
    }

    public async Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default)
    {
        foreach (var batch in RedisLineBatches.Of(lines))
        {
            RedisValue[] values = [batch.First, options.Value.MaxOutputLines, options.Value.MaxOutputBytes, .. batch.Lines.Select(line => (RedisValue)line)];
            if (await EvalHeld(RedisScripts.Append, id, values) != 1)
            {
                return false;
            }

            Held.Update(id, job => job with { LineCount = batch.Next, Dropped = batch.Next });
        }

        return true;
    }

    public async Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default)
    {
        Held.Update(id, job => job with { Progress = progress });
        await EvalHeld(RedisScripts.Progress, id, progress.ToString("R", CultureInfo.InvariantCulture));
    }

    public async Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        long result;
        try
        {
            result = await EvalHeld(RedisScripts.Start, id, RedisJobFields.Ticks(now), Node.RunId);
        }
        catch
        {
            // It may have been applied all the same: the retry then finds the job Running by this run (2).
            _startsSent[id] = 0;
            throw;
        }

        var started = result == 1 || (result == 2 && _startsSent.TryRemove(id, out _));
        _startsSent.TryRemove(id, out _);
        if (started)
        {
            Held.Update(id, job => job with { State = JobState.Running, StartedAt = now });
        }
        else
        {
            Held.Release(id);
        }

        return started;
    }

    public async Task<bool> TryFinishAsync(
        JobId id, JobState state, string? error = null, string? finalLine = null, int? attempt = null, CancellationToken cancellationToken = default)
    {
        var finished = await EvalHeld(RedisScripts.Finish, id, [.. Finishing(), state.ToString(), error ?? "", finalLine ?? "", attempt?.ToString(CultureInfo.InvariantCulture) ?? ""]) == 1;
        Held.Release(id);
        return finished;
    }

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

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var finishedBefore = (time.GetUtcNow() - options.Value.RetentionPeriod).ToUnixTimeMilliseconds();
        return (int)(long)await Eval(RedisScripts.RemoveExpired, id: null, finishedBefore);
    }

    /// <summary>Subscribes once; the client renews subscriptions itself after every reconnect.</summary>
    public async Task SubscribeAsync()
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(ChangedChannel, (_, id) => Notify(id, _changes.Notify));
        await subscriber.SubscribeAsync(CancelChannel, (_, id) => Notify(id, OnCancelRequested));
        await subscriber.SubscribeAsync(ScheduledChannel, (_, _) => Scheduled?.Invoke());
    }

    public bool IsSubscribed() => redis.GetSubscriber().IsConnected(CancelChannel);

    /// <summary>Pub/sub says nothing of what happened while the connection was down: every reader pulls again.</summary>
    public void NotifyAll()
    {
        _changes.NotifyAll();
        NotifyScheduled();
    }

    /// <summary>A cancel whose message was lost, or heard now: the node's copy and the workers learn it.</summary>
    public void OnCancelRequested(JobId id)
    {
        Held.Update(id, job => job with { CancelRequested = true });
        CancelRequested?.Invoke(id);
    }

    /// <summary>What every finishing script needs: now, for the record and for retention, and the output limits.</summary>
    public RedisValue[] Finishing()
    {
        var now = time.GetUtcNow();
        return [RedisJobFields.Ticks(now), now.ToUnixTimeMilliseconds(), (long)options.Value.RetentionPeriod.TotalMilliseconds, options.Value.MaxOutputLines, options.Value.MaxOutputBytes];
    }

    public Task<RedisResult> Eval(string script, JobId? id, params RedisValue[] values) =>
        Call(() => Db.ScriptEvaluateAsync(script, [_prefix + "job:" + id], [_prefix, id?.ToString() ?? "", .. values]));

    /// <summary>Redis down, paused, refusing writes or not ours to use: a clear 503 for requests, a retry for workers.</summary>
    public async Task<T> Call<T>(Func<Task<T>> call)
    {
        if (Node.Unready is { } reason)
        {
            throw new JobsUnavailableException(reason);
        }

        try
        {
            return await call();
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            throw new JobsUnavailableException($"The job store (Redis) cannot take this now ({Reason(exception)}); try again shortly.", exception);
        }
    }

    /// <summary>
    /// Down, paused, unreachable, or an error of the server's (out of memory, a read-only replica, loading, busy):
    /// to be waited out, never a reason for a request to fail or a loop (and the host) to stop.
    /// </summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is RedisException or TimeoutException or JobsUnavailableException;

    public static string Reason(Exception exception) => exception switch
    {
        RedisServerException server => server.Message.Split(' ', 2)[0] is { Length: > 0 } code ? $"Redis answered {code}" : "Redis refused",
        JobsUnavailableException unavailable => unavailable.Message,
        _ => "Redis cannot be reached",
    };

    /// <summary>A script on a job this node holds: when Redis forgot the job, it is written back, then the script runs again.</summary>
    private async Task<long> EvalHeld(string script, JobId id, params RedisValue[] values)
    {
        var result = (long)await Eval(script, id, values);
        if (result == -1 && Held.Get(id) is not null)
        {
            await RestoreAsync(id);
            result = (long)await Eval(script, id, values);
        }

        return result;
    }

    /// <summary>State, name and node: the indexes a new (or re-created) record goes into.</summary>
    private RedisValue[] Placement(JobStatus job) =>
        [job.State.ToString(), job.Name, job.State == JobState.Scheduled ? "" : job.Node ?? options.Value.NodeName];

    /// <summary>The index of the jobs in a state, of a name, of both, or of all: each a sorted set by creation order.</summary>
    private string Index(JobState? state, string? name) => (state, name) switch
    {
        (null, null) => _prefix + "jobs",
        ({ } only, null) => _prefix + "state:" + only,
        (null, { } named) => _prefix + "name:" + named,
        ({ } only, { } named) => _prefix + "name-state:" + only + ":" + named,
    };

    private static void Notify(RedisValue message, Action<JobId> notify)
    {
        if (JobId.TryParse(message, out var id))
        {
            notify(id);
        }
    }
}
