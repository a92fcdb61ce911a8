using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>The job records of a single node, in memory. Each job changes under its own lock; no lock spans the app.</summary>
internal sealed class InMemoryJobStore(TimeProvider time, IOptions<BackgrounderOptions> options) : IJobStore
{
    private readonly ConcurrentDictionary<JobId, Entry> _jobs = new();
    private readonly JobChangeSignals _changes = new();

    // Finished jobs in the order they finished: retention forgets from the front, and never a queued or running job.
    private readonly Lock _finishedGate = new();
    private readonly Queue<JobId> _finished = new();
    private int _count;
    private long _created;

    public event Action<JobId>? CancelRequested;

    public Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default)
    {
        var entry = new Entry(job, Interlocked.Increment(ref _created), options.Value);
        MakeRoomForOne();
        if (!_jobs.TryAdd(job.Id, entry))
        {
            Interlocked.Decrement(ref _count);
            throw new InvalidOperationException($"Job {job.Id} is recorded already.");
        }

        return Task.CompletedTask;
    }

    public Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobs.TryGetValue(id, out var entry) ? entry.Read() : null);

    public Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.FromResult(new JobLines(from, []));
        }

        lock (entry.Gate)
        {
            return Task.FromResult(entry.Lines.Read(from));
        }
    }

    public Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.FromResult(false);
        }

        lock (entry.Gate)
        {
            if (entry.Record.IsFinished)
            {
                return Task.FromResult(false);
            }

            entry.Lines.Append(lines);
        }

        _changes.Notify(id);
        return Task.FromResult(true);
    }

    public Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.CompletedTask;
        }

        lock (entry.Gate)
        {
            if (entry.Record.IsFinished || entry.Record.Progress == progress)
            {
                return Task.CompletedTask;
            }

            entry.Record = entry.Record with { Progress = progress };
        }

        _changes.Notify(id);
        return Task.CompletedTask;
    }

    public Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.FromResult(false);
        }

        lock (entry.Gate)
        {
            if (entry.Record.State != JobState.Queued)
            {
                return Task.FromResult(false);
            }

            entry.Record = entry.Record with { State = JobState.Running, StartedAt = time.GetUtcNow() };
        }

        _changes.Notify(id);
        return Task.FromResult(true);
    }

    public Task<bool> TryFinishAsync(JobId id, JobState state, string? error = null, string? finalLine = null, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.FromResult(false);
        }

        lock (entry.Gate)
        {
            if (entry.Record.IsFinished)
            {
                return Task.FromResult(false);
            }

            if (finalLine is not null)
            {
                entry.Lines.Add(finalLine);
            }

            entry.Record = entry.Record with { State = state, FinishedAt = time.GetUtcNow(), Error = error };
        }

        Finished(id);
        _changes.Notify(id);
        return Task.FromResult(true);
    }

    public Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry))
        {
            return Task.FromResult(false);
        }

        bool wasQueued;
        lock (entry.Gate)
        {
            var status = entry.Record;
            if (status.IsFinished)
            {
                return Task.FromResult(false);
            }

            wasQueued = status.State == JobState.Queued;
            if (wasQueued)
            {
                entry.Lines.Add(IJobStore.CanceledLine);
                entry.Record = status with
                {
                    State = JobState.Canceled,
                    FinishedAt = time.GetUtcNow(),
                    CancelRequested = true,
                };
            }
            else
            {
                entry.Record = status with { CancelRequested = true };
            }
        }

        if (wasQueued)
        {
            Finished(id);
        }

        _changes.Notify(id);
        CancelRequested?.Invoke(id);
        return Task.FromResult(true);
    }

    public Task NextChange(JobId id) => _changes.Next(id);

    public Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<JobStatus> page =
        [
            .. _jobs.Values
                .Where(entry => state is null || entry.Record.State == state)
                .OrderByDescending(entry => entry.Order)
                .Skip(skip)
                .Take(take)
                .Select(entry => entry.Read()),
        ];
        return Task.FromResult(page);
    }

    public Task<IReadOnlyDictionary<JobState, int>> CountAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<JobState, int> counts = _jobs.Values
            .GroupBy(entry => entry.Record.State)
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

            if (finishedBefore is { } cutoff && _jobs.TryGetValue(oldest, out var entry) && entry.Record.FinishedAt > cutoff)
            {
                return null;
            }

            return _finished.Dequeue();
        }
    }

    private bool Remove(JobId id)
    {
        if (!_jobs.TryRemove(id, out _))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);

        // Whoever follows the job finds it gone and stops.
        _changes.Notify(id);
        return true;
    }

    private sealed class Entry(JobStatus record, long order, BackgrounderOptions limits)
    {
        public readonly Lock Gate = new();
        public readonly LineRing Lines = new(limits.MaxOutputLines, limits.MaxOutputBytes);

        /// <summary>Creation order: lists stay newest first even when two jobs share a timestamp.</summary>
        public readonly long Order = order;

        /// <summary>
        /// The record, replaced whole under <see cref="Gate"/> on every change of state; its line counts are brought up
        /// to date when it is read, not on every append.
        /// </summary>
        public volatile JobStatus Record = record;

        public JobStatus Read()
        {
            lock (Gate)
            {
                if (Record.LineCount != Lines.Written || Record.Dropped != Lines.First)
                {
                    Record = Record with { LineCount = Lines.Written, Dropped = Lines.First };
                }

                return Record;
            }
        }
    }
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
