using Company.WebApplication1.Background;

namespace Company.WebApplication1.Endpoints;

/// <summary>One row of the threaddb viewer.</summary>
public sealed record JobSummary(
    string Id,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long LineCount)
{
    public static JobSummary Of(Job job)
    {
        var status = job.Status;
        return new(job.Id.ToString(), status.State, status.CreatedAt, status.StartedAt, status.FinishedAt, job.Output.LineCount);
    }
}
