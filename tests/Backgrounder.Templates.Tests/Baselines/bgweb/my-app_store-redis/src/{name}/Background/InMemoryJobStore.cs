using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>The job records of a single node, in memory. Each job changes under its own lock; no lock spans the app.</summary>
internal sealed class InMemoryJobStore(TimeProvider time, IOptions<BackgrounderOptions> options) : IJobStore
{
    private readonly ConcurrentDictionary<JobId, Entry> _jobs = new();

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

    public Task<bool> TryFinishAsync(JobId id, JobState state, string? error = null, string? finalLine = null, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry) || !entry.TryFinish(state, time.GetUtcNow(), error, finalLine))
        {
            return Task.FromResult(false);
        }

        Finished(id);
        return Task.FromResult(true);
    }

    public Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(id, out var entry) || entry.TryRequestCancel(time.GetUtcNow()) is not { } wasQueued)
        {
            return Task.FromResult(false);
        }

        if (wasQueued)
        {
            Finished(id);
        }

        CancelRequested?.Invoke(id);
        return Task.FromResult(true);
    }

    // An unknown job has nothing more to wait for: whoever follows it finds it gone and stops.
    public Task NextChange(JobId id) => _jobs.TryGetValue(id, out var entry) ? entry.NextChange() : Task.CompletedTask;

    public Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<JobStatus> page =
        [
            .. _jobs.Values
                .Where(entry => state is null || entry.State == state)
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

    /// <summary>
    /// One job as this store keeps it: the fields of its record, changed in place under the entry's own lock (only
    /// this store can reach an entry, so it locks on itself), and its lines. A <see cref="JobStatus"/> is made when
    /// the job is read, not at every change: two objects kept per job instead of five (benchmarks, measure 1).
    /// </summary>
    private sealed class Entry(JobStatus created, long order, BackgrounderOptions limits)
    {
        private readonly JobId _id = created.Id;
        private readonly DateTimeOffset _createdAt = created.CreatedAt;
        private readonly string? _node = created.Node;
        private readonly string? _owner = created.Owner;
        private readonly LineRing _lines = new(limits.MaxOutputLines, limits.MaxOutputBytes);

        // Who waits for the job's next change; kept on the job itself, so a change costs no lookup.
        private TaskCompletionSource? _changed;
        private bool _removed;
        private DateTimeOffset? _startedAt;
        private double? _progress;
        private string? _error;
        private bool _cancelRequested;

        /// <summary>Creation order: lists stay newest first even when two jobs share a timestamp.</summary>
        public long Order { get; } = order;

        public JobState State { get; private set; } = created.State;

        /// <summary>Set once, before the job is in the finished queue that retention reads it from.</summary>
        public DateTimeOffset? FinishedAt { get; private set; }

        private bool IsFinished => State is not (JobState.Queued or JobState.Running);

        public JobStatus Read()
        {
            lock (this)
            {
                return new JobStatus(_id, State, _createdAt, _startedAt, FinishedAt, _progress, _error, _cancelRequested, _node, _lines.Written, _lines.First)
                {
                    Owner = _owner,
                };
            }
        }

        public JobLines ReadLines(long from)
        {
            lock (this)
            {
                return _lines.Read(from);
            }
        }

        public bool TryAppend(JobLines lines)
        {
            lock (this)
            {
                if (IsFinished)
                {
                    return false;
                }

                _lines.Append(lines);
                Changed();
                return true;
            }
        }

        public void ReportProgress(double progress)
        {
            lock (this)
            {
                if (!IsFinished && _progress != progress)
                {
                    _progress = progress;
                    Changed();
                }
            }
        }

        public bool TryStart(DateTimeOffset now)
        {
            lock (this)
            {
                if (State != JobState.Queued)
                {
                    return false;
                }

                (State, _startedAt) = (JobState.Running, now);
                Changed();
                return true;
            }
        }

        public bool TryFinish(JobState state, DateTimeOffset now, string? error, string? finalLine)
        {
            lock (this)
            {
                if (IsFinished)
                {
                    return false;
                }

                if (finalLine is not null)
                {
                    _lines.Add(finalLine);
                }

                (State, FinishedAt, _error) = (state, now, error);
                Changed();
                return true;
            }
        }

        /// <summary>Null when the job has finished; otherwise whether it was queued (and so is now Canceled).</summary>
        public bool? TryRequestCancel(DateTimeOffset now)
        {
            lock (this)
            {
                if (IsFinished)
                {
                    return null;
                }

                var wasQueued = State == JobState.Queued;
                if (wasQueued)
                {
                    _lines.Add(IJobStore.CanceledLine);
                    (State, FinishedAt) = (JobState.Canceled, now);
                }

                _cancelRequested = true;
                Changed();
                return wasQueued;
            }
        }

        public Task NextChange()
        {
            lock (this)
            {
                return _removed ? Task.CompletedTask : (_changed ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        /// <summary>Whoever follows the job finds it gone and stops.</summary>
        public void Remove()
        {
            lock (this)
            {
                _removed = true;
                Changed();
            }
        }

        /// <summary>Under the lock: wakes whoever waits (on the thread pool, not under the lock).</summary>
        private void Changed()
        {
            _changed?.TrySetResult();
            _changed = null;
        }
    }
}
