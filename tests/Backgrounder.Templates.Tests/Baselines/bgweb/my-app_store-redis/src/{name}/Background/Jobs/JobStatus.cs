using System.Text.Json.Serialization;

namespace my_app.Background;

/// <summary>
/// A job's record, as the store keeps it and as clients see it: <c>GET /jobs/{id}</c> and the event stream's
/// <c>state</c> events serialise this record. Output lines are numbered 0, 1, 2, … as they are written;
/// <paramref name="LineCount"/> counts them all, <paramref name="Dropped"/> the oldest ones no longer kept.
/// </summary>
public sealed record JobStatus(
    JobId Id,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    double? Progress = null,
    string? Error = null,
    bool CancelRequested = false,
    string? Node = null,
    long LineCount = 0,
    long Dropped = 0)
{
    /// <summary>Who may see the job (a hash of a user or of an owner cookie); null when anyone holding the id may. Never sent to clients.</summary>
    [JsonIgnore]
    public string? Owner { get; init; }

    public bool IsFinished => State is not (JobState.Queued or JobState.Running);
}
