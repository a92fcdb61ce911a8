namespace Company.WebApplication1.Background;

/// <summary>A job's state and times, replaced as a whole so a reader never sees half an update.</summary>
public sealed record JobStatus(
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null)
{
    public bool IsFinished => State is not (JobState.Queued or JobState.Running);
}
