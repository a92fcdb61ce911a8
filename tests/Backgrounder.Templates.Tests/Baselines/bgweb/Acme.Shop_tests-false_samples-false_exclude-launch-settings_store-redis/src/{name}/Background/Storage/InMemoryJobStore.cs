using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Background;

/// <summary>The job records of a single node, in memory. Each job changes under its own lock; no lock spans the app.</summary>
internal sealed class InMemoryJobStore(TimeProvider time, IOptions<BackgrounderOptions> options) : IJobStore
{
    private readonly ConcurrentDictionary<JobId, InMemoryJobEntry> _jobs = new();

    // Finished jobs in the order they finished: retention forgets from the front, and never a scheduled, queued or
    // running job. _count counts every job but the scheduled ones, which MaxScheduledJobs bounds instead.
    private readonly Lock _finishedGate = new();
    private readonly Queue<JobId> _finished = new();
    private int _count;
    private long _created;

    private readonly InMemoryDueJobs _due = new();
    private int _scheduled;

    public event Action<JobId>? CancelRequested;

    public event Action? Scheduled;

    public Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default)
    {
        var entry = new InMemoryJobEntry(job, Interlocked.Increment(ref _created), options.Value);
        var scheduled = job.State == JobState.Scheduled;
        if (scheduled)
        {
            if (Interlocked.Increment(ref _scheduled) > options.Value.MaxScheduledJobs)
            {
                Interlocked.Decrement(ref _scheduled);
                throw new JobsUnavailableException(
                    $"{options.Value.MaxScheduledJobs} jobs are scheduled already (Backgrounder:MaxScheduledJobs); try again once some have run.");
            }
        }
        else
        {
            MakeRoomForOne();
        }

        if (!_jobs.TryAdd(job.Id, entry))
        {
            Interlocked.Decrement(ref scheduled ? ref _scheduled : ref _count);
            throw new InvalidOperationException($"Job {job.Id} is recorded already.");
        }

        if (scheduled)
        {
            Due(entry, job.RunAt ?? time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public Task<DueJobs> ClaimDueAsync(IReadOnlyCollection<string> names, int most, CancellationToken cancellationToken = default)
    {
        var (claimed, nextDue) = _due.Claim(names, most, time.GetUtcNow(), options.Value.NodeName);
        foreach (var _ in claimed)
        {
            LeftSchedule();
        }

        return Task.FromResult(new DueJobs(claimed, nextDue));
    }

    public Task<bool> TryRetryAsync(JobId id, int attempt, DateTimeOffset runAt, string line, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry) || entry.TryRetry(attempt, runAt, line) is not { } now)
        {
            return Task.FromResult(false);
        }

        // Waiting again, it counts as scheduled, not as retained (MaxScheduledJobs does not refuse a retry).
        if (now)
        {
            Interlocked.Increment(ref _scheduled);
            Interlocked.Decrement(ref _count);
            Due(entry, runAt);
        }

        return Task.FromResult(true);
    }

    public Task<bool> TryReleaseAsync(JobId id, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry) || !entry.TryRelease(options.Value.NodeName))
        {
            return Task.FromResult(false);
        }

        Interlocked.Increment(ref _scheduled);
        Interlocked.Decrement(ref _count);
        Due(entry, entry.RunAt ?? time.GetUtcNow());
        return Task.FromResult(true);
    }

    public Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) ? entry.Read() : null);

    public Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) ? entry.ReadLines(from) : new JobLines(from, []));

    public Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) && entry.TryAppend(lines));

    public Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default)
    {
        if (_jobs.TryGetValue(id, out var entry))
        {
            entry.ReportProgress(progress);
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) && entry.TryStart(time.GetUtcNow()));

    public Task<bool> TryFinishAsync(
        JobId id, JobState state, string? error = null, string? finalLine = null, int? attempt = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) && entry.TryFinish(state, time.GetUtcNow(), error, finalLine, attempt, Finished));

    /// <summary>At shutdown: every scheduled job ends Canceled with <paramref name="line"/>, since a restart would lose it. Returns how many.</summary>
    public int CancelScheduled(string line)
    {
        var canceled = 0;
        foreach (var entry in _jobs.Values)
        {
            if (entry.State == JobState.Scheduled && entry.TryRequestCancel(time.GetUtcNow(), Finished, line) == JobState.Scheduled)
            {
                LeftSchedule();
                canceled++;
            }
        }

        return canceled;
    }

    public Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry) || entry.TryRequestCancel(time.GetUtcNow(), Finished) is not { } before)
        {
            return Task.FromResult(false);
        }

        if (before == JobState.Scheduled)
        {
            LeftSchedule();
        }

        CancelRequested?.Invoke(id);
        return Task.FromResult(true);
    }

    // An unknown job has nothing more to wait for: whoever follows it finds it gone and stops.
    public Task NextChange(JobId id) => _jobs.TryGetValue(id, out var entry) ? entry.NextChange() : Task.CompletedTask;

    public Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, string? name = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<JobStatus> page =
        [
            .. _jobs.Values
                .Where(entry => (state is null || entry.State == state) && (name is null || entry.Name == name))
                .OrderByDescending(entry => entry.Order)
                .Skip(skip)
                .Take(take)
                .Select(entry => entry.Read()),
        ];
        return Task.FromResult(page);
    }

    public Task<IReadOnlyDictionary<JobState, int>> CountAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<JobState, int> counts = _jobs.Values
            .Where(entry => name is null || entry.Name == name)
            .GroupBy(entry => entry.State)
            .ToDictionary(group => group.Key, group => group.Count());
        return Task.FromResult(counts);
    }

    public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var finishedBefore = time.GetUtcNow() - options.Value.RetentionPeriod;
        var removed = 0;
        while (TakeOldestFinished(finishedBefore) is { } id)
        {
            removed += Remove(id) ? 1 : 0;
        }

        return Task.FromResult(removed);
    }

    private void Due(InMemoryJobEntry entry, DateTimeOffset runAt)
    {
        _due.Add(entry, runAt);
        Scheduled?.Invoke();
    }

    /// <summary>A job no longer waits for its time (claimed, or canceled): it counts towards MaxRetainedJobs now.</summary>
    private void LeftSchedule()
    {
        Interlocked.Decrement(ref _scheduled);
        MakeRoomForOne();
    }

    /// <summary>Keeps <see cref="BackgrounderOptions.MaxRetainedJobs"/> at every moment, not only at the next cleanup.</summary>
    private void MakeRoomForOne()
    {
        // Counted before the job is added, so jobs started at the same moment cannot pass the limit together.
        var count = Interlocked.Increment(ref _count);
        while (count > options.Value.MaxRetainedJobs && TakeOldestFinished(finishedBefore: null) is { } oldest)
        {
            Remove(oldest);
            count = Volatile.Read(ref _count);
        }
    }

    private void Finished(JobId id)
    {
        lock (_finishedGate)
        {
            _finished.Enqueue(id);
        }
    }

    private JobId? TakeOldestFinished(DateTimeOffset? finishedBefore)
    {
        lock (_finishedGate)
        {
            if (!_finished.TryPeek(out var oldest))
            {
                return null;
            }

            if (finishedBefore is { } cutoff && _jobs.TryGetValue(oldest, out var entry) && entry.FinishedAt > cutoff)
            {
                return null;
            }

            return _finished.Dequeue();
        }
    }

    private bool Remove(JobId id)
    {
        if (!_jobs.TryRemove(id, out var entry))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        entry.Remove();
        return true;
    }
}
