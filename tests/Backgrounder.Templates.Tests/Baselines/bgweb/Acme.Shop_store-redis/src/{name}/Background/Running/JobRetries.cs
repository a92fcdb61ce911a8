using System.Globalization;

namespace Acme.Shop.Background;

/// <summary>
/// What becomes of a run that will not end the job: the next attempt of a class with <see cref="RetryAttribute"/>
/// attempts left, scheduled for whichever node claims it; or, for a due job this node claimed but will not run (it is
/// stopping), the schedule again.
/// </summary>
internal sealed partial class JobRetries(IJobStore store, TimeProvider time, ILogger<JobRetries> logger)
{
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Schedules the next attempt, with a line saying what became of this one:
    /// <c>Attempt 1 of 4 failed: TimeoutException; next attempt at 2026-12-04T10:00:10Z</c>. False when it has none
    /// left, or the store refused (a cancel came first): then this attempt's end is the job's. Never throws.
    /// </summary>
    public async Task<bool> TryScheduleNextAsync(JobRun run, string outcome, CancellationToken stoppingToken)
    {
        if (run.Retry is not { } retry || run.Attempt >= retry.MaxAttempts)
        {
            return false;
        }

        var runAt = JobScheduler.DueTime(time.GetUtcNow() + retry.DelayAfter(run.Attempt, Random.Shared.NextDouble()));
        var line = $"Attempt {run.Attempt} of {retry.MaxAttempts} {outcome}; next attempt at {runAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";
        while (true)
        {
            try
            {
                // Safe to send again: a retry already recorded answers true.
                if (!await store.TryRetryAsync(run.Id, run.Attempt, runAt, line, stoppingToken))
                {
                    return false;
                }

                break;
            }
            catch (JobsUnavailableException) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis restarting, say: waited for, as every store call of a worker is.
                await Task.Delay(StoreRetryDelay, time, stoppingToken);
            }
            catch (Exception)
            {
                // The store stayed unreachable until shutdown (or failed otherwise): the job is ended the usual way, or
                // by the other nodes.
                return false;
            }
        }

        // This attempt's activity ends with the job waiting for the next one.
        JobTracing.Finished(run.Activity, JobState.Scheduled);
        LogRetryScheduled(run.Id, run.Attempt, runAt);
        return true;
    }

    /// <summary>A claimed job still queued here goes back to the schedule; false when it cannot (then it is canceled).</summary>
    public async Task<bool> TryReleaseAsync(JobRun run)
    {
        try
        {
            return await store.TryReleaseAsync(run.Id);
        }
        catch (Exception)
        {
            // Redis cannot be reached: the other nodes mark it Interrupted once this node's heartbeat is gone.
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}'s attempt {Attempt} did not succeed; its next attempt is due at {RunAt}.")]
    private partial void LogRetryScheduled(JobId jobId, int attempt, DateTimeOffset runAt);
}
