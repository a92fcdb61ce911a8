using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// Forgets finished jobs, so the store does not grow for ever: every
/// <see cref="BackgrounderOptions.CleanupInterval"/> the store drops the jobs finished more than
/// <see cref="BackgrounderOptions.RetentionPeriod"/> ago. (The store keeps <see cref="BackgrounderOptions.MaxRetainedJobs"/>
/// itself, at every start.) Queued and running jobs are never removed.
/// </summary>
internal sealed partial class JobCleanupService(
    IJobStore store,
    JobMetrics metrics,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    ILogger<JobCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Created before the first await, so the timer runs from the moment the app has started.
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var removed = await store.RemoveExpiredAsync(stoppingToken);
            var retained = (await store.CountAsync(cancellationToken: stoppingToken)).Values.Sum();
            metrics.Retained(retained);
            if (removed > 0)
            {
                LogRemoved(removed, retained);
            }
        }
        catch (JobsUnavailableException exception)
        {
            // The store cannot be reached now; the next tick tries again.
            LogSkipped(exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cleanup removed {Removed} finished jobs; {Retained} remain.")]
    private partial void LogRemoved(int removed, int retained);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleanup skipped: {Reason}")]
    private partial void LogSkipped(string reason);
}
