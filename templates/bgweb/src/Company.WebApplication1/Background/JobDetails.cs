namespace Company.WebApplication1.Background;

/// <summary>
/// The body of <c>GET /jobs/{id}</c>: the status, and the lines from <paramref name="From"/> on. <paramref name="Dropped"/>
/// lines were discarded by <see cref="BackgrounderOptions.MaxOutputLines"/>; poll again with <c>?from=</c><paramref name="LineCount"/>.
/// </summary>
public sealed record JobDetails(
    string Id,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? Progress,
    string? Error,
    bool CancelRequested,
    long LineCount,
    long Dropped,
    long From,
    IReadOnlyList<string> Lines)
{
    public static JobDetails Of(Job job, long from)
    {
        // The status before the lines: a job seen finished has all its lines in the page below.
        var status = job.Status;
        var page = job.Output.Read(from);
        return new(
            job.Id.ToString(),
            status.State,
            status.CreatedAt,
            status.StartedAt,
            status.FinishedAt,
            status.Progress,
            status.Error,
            status.CancelRequested,
            page.FirstSequence + page.Lines.Count,
            page.Dropped,
            page.FirstSequence,
            page.Lines);
    }
}
