using Company.WebApplication1.Background;

namespace Company.WebApplication1.Endpoints;

/// <summary>One row of the threaddb viewer.</summary>
public sealed record JobSummary(
    string Id,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? Progress,
    string? Error,
    long LineCount,
    string? LastLine)
{
    public static JobSummary Of(Job job)
    {
        var status = job.Status;
        var lastLine = job.Output.Read(job.Output.LineCount - 1).Lines.LastOrDefault();
        return new(
            job.Id.ToString(),
            status.State,
            status.CreatedAt,
            status.StartedAt,
            status.FinishedAt,
            status.Progress,
            status.Error,
            job.Output.LineCount,
            lastLine);
    }
}
