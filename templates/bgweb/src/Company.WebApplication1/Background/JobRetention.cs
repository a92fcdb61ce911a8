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
        var jobs = store.List();

        // One pass removes what has expired; only past maxJobs do the oldest of the rest need finding.
        var removed = 0;
        foreach (var job in jobs)
        {
            if (job.Status.FinishedAt <= expiredBefore && store.Remove(job.Id))
            {
                removed++;
            }
        }

        var excess = store.Count - maxJobs;
        if (excess <= 0)
        {
            return removed;
        }

        // The newest of the oldest `excess` finished jobs sits on top, so each older job replaces it: O(n log excess),
        // and no sorted copy of the whole registry.
        var oldest = new PriorityQueue<Job, DateTimeOffset>(excess, Comparer<DateTimeOffset>.Create((a, b) => b.CompareTo(a)));
        foreach (var job in jobs)
        {
            if (job.Status.FinishedAt is not { } finishedAt || finishedAt <= expiredBefore)
            {
                continue;
            }

            if (oldest.Count < excess)
            {
                oldest.Enqueue(job, finishedAt);
            }
            else if (oldest.TryPeek(out _, out var newest) && finishedAt < newest)
            {
                oldest.DequeueEnqueue(job, finishedAt);
            }
        }

        while (oldest.TryDequeue(out var job, out _))
        {
            if (store.Remove(job.Id))
            {
                removed++;
            }
        }

        return removed;
    }
}
