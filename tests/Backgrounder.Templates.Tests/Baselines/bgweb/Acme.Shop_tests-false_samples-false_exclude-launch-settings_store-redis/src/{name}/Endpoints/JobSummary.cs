using System.Text.Json.Serialization;
using Acme.Shop.Background;

namespace Acme.Shop.Endpoints;

/// <summary>One row of the threaddb viewer; <see cref="RunAt"/> is when a scheduled job is due.</summary>
public sealed record JobSummary(
    string Id,
    string Name,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? Progress,
    string? Error,
    string? Node,
    long LineCount,
    string? LastLine,
    string? Repeats,
    DateTimeOffset? RunAt)
{
    /// <summary>Shown on the page (Cancel becomes "Canceling…"); not in the JSON, whose rows keep their shape.</summary>
    [JsonIgnore]
    public bool CancelRequested { get; init; }

    /// <summary>Whether the page offers Run again: a finished job of a registered class.</summary>
    [JsonIgnore]
    public bool CanRunAgain { get; init; }

    public static async Task<JobSummary> OfAsync(JobStatus status, IJobStore store, BackgroundJobs jobs, CancellationToken cancellationToken)
    {
        var last = await store.ReadLinesAsync(status.Id, status.LineCount - 1, cancellationToken);
        return new(
            status.Id.ToString(),
            status.Name,
            status.State,
            status.CreatedAt,
            status.StartedAt,
            status.FinishedAt,
            status.Progress,
            status.Error,
            status.Node,
            status.LineCount,
            last.Lines.LastOrDefault(),
            status.Repeats?.ToString(),
            status.State == JobState.Scheduled ? status.RunAt : null)
        {
            CancelRequested = status.CancelRequested,
            CanRunAgain = jobs.CanStartAgain(status),
        };
    }
}
