using System.Text.Json;

namespace my_app.Background;

/// <summary>
/// One job as <see cref="InMemoryJobStore"/> keeps it: the fields of its record, changed in place under the entry's
/// own lock (only the store holds entries, so it locks on itself), and its lines. A <see cref="JobStatus"/> is made
/// when the job is read, not at every change, so a job costs two objects (docs/benchmarks.md, measure 1).
/// </summary>
internal sealed class InMemoryJobEntry(JobStatus created, long order, BackgrounderOptions limits)
{
    private readonly JobId _id = created.Id;
    private readonly DateTimeOffset _createdAt = created.CreatedAt;
    private readonly RetryPolicy? _retry = created.Retry;
    private readonly string? _owner = created.Owner;
    private readonly JobKind _kind = created.Kind;
    private readonly JsonElement? _arguments = created.Arguments;
    private readonly JobId? _repeats = created.Repeats;
    private readonly string? _traceParent = created.TraceParent;
    private readonly LineRing _lines = new(limits.MaxOutputLines, limits.MaxOutputBytes);

    // Who waits for the job's next change; kept on the job itself, so a change costs no lookup.
    private TaskCompletionSource? _changed;
    private bool _removed;
    private DateTimeOffset? _startedAt;
    private double? _progress;
    private string? _error;
    private bool _cancelRequested;
    private string? _node = created.Node;
    private DateTimeOffset? _runAt = created.RunAt;
    private int _attempt = created.Attempt;

    /// <summary>Creation order: lists stay newest first even when two jobs share a timestamp.</summary>
    public long Order { get; } = order;

    public JobState State { get; private set; } = created.State;

    public string Name { get; } = created.Name;

    /// <summary>Set once, before the job is in the finished queue that retention reads it from.</summary>
    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>When a scheduled job is due; what the store's due queue is ordered by.</summary>
    public DateTimeOffset? RunAt
    {
        get { lock (this) { return _runAt; } }
    }

    private bool IsFinished => State is not (JobState.Scheduled or JobState.Queued or JobState.Running);

    public JobStatus Read()
    {
        lock (this)
        {
            return new JobStatus(_id, State, _createdAt, _startedAt, FinishedAt, _progress, _error, _cancelRequested, _node, _lines.Written, _lines.First)
            {
                Name = Name,
                Kind = _kind,
                Arguments = _arguments,
                Owner = _owner,
                Repeats = _repeats,
                TraceParent = _traceParent,
                RunAt = _runAt,
                Attempt = _attempt,
                Retry = _retry,
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

    /// <summary>Scheduled → Queued on <paramref name="node"/>: false when it is no longer scheduled (a cancel came first).</summary>
    public bool TryClaim(string node)
    {
        lock (this)
        {
            if (State != JobState.Scheduled)
            {
                return false;
            }

            (State, _node) = (JobState.Queued, node);
            Changed();
            return true;
        }
    }

    /// <summary>Queued on <paramref name="node"/> → Scheduled again, due as it was: false when it is no longer queued there.</summary>
    public bool TryRelease(string node)
    {
        lock (this)
        {
            if (State != JobState.Queued || _node != node)
            {
                return false;
            }

            (State, _node) = (JobState.Scheduled, null);
            Changed();
            return true;
        }
    }

    /// <summary>
    /// Running attempt <paramref name="attempt"/> → Scheduled for the next, with its line: true when done now, false
    /// when it was so already (a retried call), null when it is not running that attempt or a cancel came.
    /// </summary>
    public bool? TryRetry(int attempt, DateTimeOffset runAt, string line)
    {
        lock (this)
        {
            if (State == JobState.Scheduled && _attempt == attempt + 1)
            {
                return false;
            }

            if (State != JobState.Running || _attempt != attempt || _cancelRequested)
            {
                return null;
            }

            _lines.Add(line);
            (State, _runAt, _attempt, _startedAt, _progress, _node) = (JobState.Scheduled, runAt, attempt + 1, null, null, null);
            Changed();
            return true;
        }
    }

    /// <summary>
    /// Calls <paramref name="finished"/> before anyone is woken, so whoever sees the job finished also finds it where
    /// retention looks. Not for a scheduled job (a cancel ends it), nor one on another attempt than <paramref name="attempt"/>.
    /// </summary>
    public bool TryFinish(JobState state, DateTimeOffset now, string? error, string? finalLine, int? attempt, Action<JobId> finished)
    {
        lock (this)
        {
            if (IsFinished || State == JobState.Scheduled || (attempt is { } expected && expected != _attempt))
            {
                return false;
            }

            if (finalLine is not null)
            {
                _lines.Add(finalLine);
            }

            (State, FinishedAt, _error) = (state, now, error);
            finished(_id);
            Changed();
            return true;
        }
    }

    /// <summary>Null when the job has finished; otherwise its state before (a scheduled or queued one is now Canceled).</summary>
    public JobState? TryRequestCancel(DateTimeOffset now, Action<JobId> finished, string canceledLine = IJobStore.CanceledLine)
    {
        lock (this)
        {
            if (IsFinished)
            {
                return null;
            }

            var before = State;
            if (before is JobState.Scheduled or JobState.Queued)
            {
                _lines.Add(canceledLine);
                (State, FinishedAt) = (JobState.Canceled, now);
                finished(_id);
            }

            _cancelRequested = true;
            Changed();
            return before;
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
