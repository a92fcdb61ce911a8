using System.Text.Json;
using System.Text.Json.Serialization;

namespace my_app.Background;

/// <summary>
/// A job's record, as the store keeps it and as clients see it: <c>GET /jobs/{id}</c> and the event stream's
/// <c>state</c> events serialise this record. Output lines are numbered 0, 1, 2, … as they are written;
/// <paramref name="LineCount"/> counts them all, <paramref name="Dropped"/> the oldest ones no longer kept.
/// <see cref="Name"/> is what the dashboard, the live page, metrics and logs call the job.
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
    /// <summary>The name of a job started outside any request with no name of its own.</summary>
    public const string DefaultName = "job";

    /// <summary>A job class's registered name, the name given with a delegate, or the starting endpoint's route.</summary>
    public string Name { get; init; } = DefaultName;

    public JobKind Kind { get; init; }

    /// <summary>A typed job's arguments as the app's JSON options wrote them; null for none.</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>The id of the finished job this one runs again (the dashboard's Run again); null otherwise.</summary>
    public JobId? Repeats { get; init; }

    /// <summary>Who may see the job (a hash of a user or of an owner cookie); null when anyone holding the id may. Never sent to clients.</summary>
    [JsonIgnore]
    public string? Owner { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the activity that started the job (a request, say): the parent of the run's
    /// activity on whichever node runs it. Null when none was current. Never sent to clients.
    /// </summary>
    [JsonIgnore]
    public string? TraceParent { get; init; }

    /// <summary>When a <see cref="JobState.Scheduled"/> job is due (its first run, or its next attempt); null for a job started at once.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Which attempt the job is on, or ended on: 1 for its first run.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Its class's <see cref="RetryAttribute"/>, kept with the job so any node that handles it knows it; null for none.</summary>
    public RetryPolicy? Retry { get; init; }

    public bool IsFinished => State is not (JobState.Scheduled or JobState.Queued or JobState.Running);
}
