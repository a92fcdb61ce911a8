using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// Decides which finished jobs to forget: those finished longer than <see cref="BackgrounderOptions.RetentionPeriod"/>
/// ago, then the oldest finished ones while more than a limit are kept. Queued and running jobs always stay.
/// </summary>
public sealed class JobRetention(IJobStore store, TimeProvider time, IOptions<BackgrounderOptions> options)
{
    /// <summary>Removes expired jobs and trims to <paramref name="maxJobs"/>; returns how many were removed.</summary>
    public int RemoveExpired(int maxJobs)
    {
        var expiredBefore = time.GetUtcNow() - options.Value.RetentionPeriod;
        var finishedOldestFirst = store.List()
            .Select(job => (job.Id, job.Status.FinishedAt))
            .Where(job => job.FinishedAt is not null)
            .OrderBy(job => job.FinishedAt)
            .ToList();

        var excess = store.Count - maxJobs;
        var removed = 0;
        foreach (var (id, finishedAt) in finishedOldestFirst)
        {
            if (finishedAt > expiredBefore && removed >= excess)
            {
                break;
            }

            if (store.Remove(id))
            {
                removed++;
            }
        }

        return removed;
    }
}
