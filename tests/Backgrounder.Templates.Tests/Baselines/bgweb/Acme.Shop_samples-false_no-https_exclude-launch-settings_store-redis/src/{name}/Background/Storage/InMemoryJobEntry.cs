using System.Text.Json;

namespace Acme.Shop.Background;

/// <summary>
/// One job as <see cref="InMemoryJobStore"/> keeps it: the fields of its record, changed in place under the entry's
/// own lock (only the store holds entries, so it locks on itself), and its lines. A <see cref="JobStatus"/> is made
/// when the job is read, not at every change, so a job costs two objects (docs/benchmarks.md, measure 1).
/// </summary>
internal sealed class InMemoryJobEntry(JobStatus created, long order, BackgrounderOptions limits)
{
    private readonly JobId _id = created.Id;
    private readonly DateTimeOffset _createdAt = created.CreatedAt;
    private readonly string? _node = created.Node;
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

    /// <summary>Creation order: lists stay newest first even when two jobs share a timestamp.</summary>
    public long Order { get; } = order;

    public JobState State { get; private set; } = created.State;

    public string Name { get; } = created.Name;

    /// <summary>Set once, before the job is in the finished queue that retention reads it from.</summary>
    public DateTimeOffset? FinishedAt { get; private set; }

    private bool IsFinished => State is not (JobState.Queued or JobState.Running);

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

    /// <summary>
    /// Calls <paramref name="finished"/> before anyone is woken, so whoever sees the job finished also finds it where
    /// retention looks.
    /// </summary>
    public bool TryFinish(JobState state, DateTimeOffset now, string? error, string? finalLine, Action<JobId> finished)
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
            finished(_id);
            Changed();
            return true;
        }
    }

    /// <summary>Null when the job has finished; otherwise whether it was queued (and so is now Canceled).</summary>
    public bool? TryRequestCancel(DateTimeOffset now, Action<JobId> finished)
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
                finished(_id);
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
