namespace Company.WebApplication1.Background;

/// <summary>One entry of the job registry: the seed's threaddb entry, with an id, a state and times.</summary>
public sealed class Job(JobId id, JobWork work, JobOutput output, DateTimeOffset createdAt)
{
    public const string CanceledLine = "Job canceled.";

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Never disposed: it has no timer and no parent, and a late Cancel must not meet a disposed source.
    private readonly CancellationTokenSource _cancel = new();
    private JobStatus _status = new(JobState.Queued, createdAt);

    // Let go of once taken: a finished job must not keep its delegate, and all that it captured, alive until cleanup.
    private JobWork? _work = work;

    public JobId Id => id;

    public JobOutput Output => output;

    public JobStatus Status => Volatile.Read(ref _status);

    /// <summary>Completes, never faulted, when the job reaches a final state.</summary>
    public Task Finished => _finished.Task;

    /// <summary>
    /// Fires on every output line and every status change (state, progress, cancel request): the one signal
    /// a live view waits on. It is the output's own, so lines written before the job existed count too.
    /// </summary>
    public ChangeSignal Changed => output.Changed;

    /// <summary>The work, once: the worker that runs the job takes it, and the job no longer holds it.</summary>
    internal JobWork? TakeWork() => Interlocked.Exchange(ref _work, null);

    /// <summary>The random token of the client that started the job, when <c>Backgrounder:RequireOwner</c> is on.</summary>
    internal string? OwnerToken { get; private set; }

    internal void BindOwner(string token) => OwnerToken = token;

    /// <summary>Told the final status before <see cref="Finished"/> completes, so counts are current for whoever awaits it.</summary>
    internal Action<JobStatus>? Finishing { get; set; }

    /// <summary>The token the job runs with: fires when <see cref="TryCancel"/> is called, by a user or a stopping host.</summary>
    internal CancellationToken CancellationToken => _cancel.Token;

    /// <summary>
    /// Asks the job to stop. A queued job ends <see cref="JobState.Canceled"/> at once and never runs; a running
    /// one sees its token fire and ends Canceled when it stops. False when the job has already finished.
    /// </summary>
    public bool TryCancel(DateTimeOffset now)
    {
        bool wasQueued;
        lock (_gate)
        {
            if (_status.IsFinished)
            {
                return false;
            }

            wasQueued = _status.State == JobState.Queued;
            if (wasQueued)
            {
                _work = null;

                // Written before the state changes, so whoever sees the job finished finds every line.
                output.WriteLine(CanceledLine);
                Update(_status with { State = JobState.Canceled, FinishedAt = now, CancelRequested = true });
            }
            else if (!_status.CancelRequested)
            {
                Update(_status with { CancelRequested = true });
            }
        }

        // CancelAsync runs the job's callbacks, and the code awaiting them, on the thread pool rather than on
        // the request's thread; the token reports IsCancellationRequested before it returns.
        _ = _cancel.CancelAsync();
        if (wasQueued)
        {
            Finishing?.Invoke(Status);
            _finished.TrySetResult();
        }

        return true;
    }

    /// <summary>A fraction between 0 and 1, shown as the live page's progress bar; ignored once finished.</summary>
    public void ReportProgress(double fraction)
    {
        if (!(fraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Progress is a fraction from 0 to 1.");
        }

        lock (_gate)
        {
            if (_status.IsFinished || _status.Progress == fraction)
            {
                return;
            }

            Update(_status with { Progress = fraction });
        }
    }

    internal bool TryStart(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_status.State != JobState.Queued)
            {
                return false;
            }

            Update(_status with { State = JobState.Running, StartedAt = now });
            return true;
        }
    }

    internal bool TryFinish(JobState state, DateTimeOffset now, string? error = null)
    {
        lock (_gate)
        {
            if (_status.IsFinished)
            {
                return false;
            }

            Update(_status with { State = state, FinishedAt = now, Error = error });
        }

        Finishing?.Invoke(Status);
        _finished.TrySetResult();
        return true;
    }

    private void Update(JobStatus status)
    {
        Volatile.Write(ref _status, status);

        // Wakes followers while the gate is held; they run on the thread pool, so holding it costs nothing.
        output.Changed.Notify();
    }
}
