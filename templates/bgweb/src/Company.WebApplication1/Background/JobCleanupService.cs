using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// Forgets finished jobs, fixing the seed's leak (its threaddb only ever grew). Every
/// <see cref="BackgrounderOptions.CleanupInterval"/> it removes jobs finished longer than
/// <see cref="BackgrounderOptions.RetentionPeriod"/> ago, then the oldest finished ones while more than
/// <see cref="BackgrounderOptions.MaxRetainedJobs"/> are kept. Queued and running jobs always stay.
/// </summary>
public sealed partial class JobCleanupService(
    IJobStore store,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    ILogger<JobCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var removed = RemoveExpiredJobs();
                if (removed > 0)
                {
                    LogRemoved(removed, store.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>One sweep; returns how many jobs were removed.</summary>
    public int RemoveExpiredJobs()
    {
        var expiredBefore = time.GetUtcNow() - options.Value.RetentionPeriod;
        var finishedOldestFirst = store.List()
            .Select(job => (job.Id, FinishedAt: job.Status.FinishedAt))
            .Where(job => job.FinishedAt is not null)
            .OrderBy(job => job.FinishedAt)
            .ToList();

        var excess = store.Count - options.Value.MaxRetainedJobs;
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cleanup removed {Removed} finished jobs; {Retained} remain.")]
    private partial void LogRemoved(int removed, int retained);
}
