namespace Company.WebApplication1.Background;

/// <summary>One entry of the job registry: the seed's threaddb entry, with an id, a state and times.</summary>
public sealed class Job(JobId id, JobWork work, JobOutput output, DateTimeOffset createdAt)
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JobStatus _status = new(JobState.Queued, createdAt);

    public JobId Id => id;

    public JobOutput Output => output;

    public JobStatus Status => Volatile.Read(ref _status);

    /// <summary>Completes, never faulted, when the job reaches a final state.</summary>
    public Task Finished => _finished.Task;

    internal JobWork Work => work;

    internal bool TryStart(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_status.State != JobState.Queued)
            {
                return false;
            }

            Volatile.Write(ref _status, _status with { State = JobState.Running, StartedAt = now });
            return true;
        }
    }

    internal bool TryFinish(JobState state, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_status.IsFinished)
            {
                return false;
            }

            Volatile.Write(ref _status, _status with { State = state, FinishedAt = now });
        }

        _finished.TrySetResult();
        return true;
    }
}
