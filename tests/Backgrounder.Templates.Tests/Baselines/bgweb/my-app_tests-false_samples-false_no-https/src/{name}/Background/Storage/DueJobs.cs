namespace my_app.Background;

/// <summary>What one claim took (now Queued on this node), and when the next job of those names is due (null: none waits).</summary>
public sealed record DueJobs(IReadOnlyList<JobStatus> Claimed, DateTimeOffset? NextDue);
