namespace Company.WebApplication1.Background;

/// <summary>
/// A job's state, times, progress and error, replaced as a whole so a reader never sees half an update.
/// Serialized as is into the live page's <c>state</c> events.
/// </summary>
public sealed record JobStatus(
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    double? Progress = null,
    string? Error = null,
    bool CancelRequested = false)
{
    public bool IsFinished => State is not (JobState.Queued or JobState.Running);
}
