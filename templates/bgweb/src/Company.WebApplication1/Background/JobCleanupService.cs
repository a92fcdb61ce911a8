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
    JobRetention retention,
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
    public int RemoveExpiredJobs() => retention.RemoveExpired(options.Value.MaxRetainedJobs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cleanup removed {Removed} finished jobs; {Retained} remain.")]
    private partial void LogRemoved(int removed, int retained);
}
