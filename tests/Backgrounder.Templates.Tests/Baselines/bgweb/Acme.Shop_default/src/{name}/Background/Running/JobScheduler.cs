using System.Text.Json;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Acme.Shop.Background;

/// <summary>
/// Runs scheduled jobs when they are due: a delayed job's first run, a retried job's next attempt. It waits for the
/// earliest due time (on the app's <see cref="TimeProvider"/>), then claims what is due, only of the job names this
/// node knows and only as many as its queue has room for (the rest wait, late, for a free slot), and queues them. A
/// job scheduled anywhere wakes it (with Redis, a pub/sub message, and each heartbeat in case one was lost), so it
/// never sleeps past a job due sooner; with Redis, any node that knows the job's name may claim it, and one does, once.
/// </summary>
internal sealed partial class JobScheduler(
    IJobStore store,
    JobQueue queue,
    JobRegistry registry,
    JobMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IOptions<BackgrounderOptions> options,
    IOptions<JsonOptions> json,
    ILogger<JobScheduler> logger) : BackgroundService
{
    public const string ShutdownLine = "Job canceled: the app stopped before it was due, and the in-memory store keeps no job across a restart.";

    // Claims go in batches, so one claim never holds a shared store for long.
    private static readonly TimeSpan s_storeRetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxClaim = 500;

    private TaskCompletionSource _wake = new();
    private bool _failing;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        store.Scheduled += Wake;
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Stops after the workers (it is registered before them): with the in-memory store, jobs still scheduled end
    /// Canceled with <see cref="ShutdownLine"/>, since a restart would lose them; a shared store keeps them for any node.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        store.Scheduled -= Wake;
        await base.StopAsync(cancellationToken);
        if (store is InMemoryJobStore memory && memory.CancelScheduled(ShutdownLine) is var canceled and > 0)
        {
            LogScheduledCanceled(canceled);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Claims end when the app begins to stop, before the workers do: nothing is claimed that could not run.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            // In place before the store is read: a job scheduled meanwhile wakes the wait that follows.
            var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _wake, woken);
            try
            {
                await ClaimAndWaitAsync(woken.Task, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // The store cannot be reached (or anything else): due jobs wait, and the next look claims them. Said
                // once per outage, not every second of it.
                if (!_failing)
                {
                    _failing = true;
                    LogClaimFailed(exception.GetType().Name, exception.Message);
                }

                await Task.WhenAny(Delay(s_storeRetryDelay, token));
            }
        }
    }

    private async Task ClaimAndWaitAsync(Task woken, CancellationToken token)
    {
        var room = Math.Min(queue.Room, MaxClaim);
        if (room == 0)
        {
            // Due jobs wait for a free slot (a worker takes a job, or a waiting one is canceled).
            await queue.RoomAsync().WaitAsync(token);
            return;
        }

        var due = await store.ClaimDueAsync([.. registry.KnownNames], room, token);
        _failing = false;
        foreach (var job in due.Claimed)
        {
            await QueueAsync(job);
        }

        if (due.Claimed.Count == room)
        {
            // As many as it could take: more may be due at once.
            return;
        }

        // Until the next due job, or until a job is scheduled (that one may be due sooner).
        if (due.NextDue is not { } next)
        {
            await woken.WaitAsync(token);
        }
        else if (next - time.GetUtcNow() is var wait && wait > TimeSpan.Zero)
        {
            // Timers count whole milliseconds: rounded up, the wait never ends just before the job is due.
            await Task.WhenAny(woken, Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), token));
        }
    }

    private async Task QueueAsync(JobStatus job)
    {
        JobWork work;
        try
        {
            work = JobReplay.WorkFor(registry.Find(job.Name)!, job.Arguments, json.Value.SerializerOptions);
        }
        catch (JobArgumentsException refused)
        {
            // Its recorded arguments no longer fit its class (a deploy changed them): it cannot run, and says why.
            await store.TryFinishAsync(job.Id, JobState.Failed, refused.Message, $"Job failed: {refused.Message}");
            metrics.Finished(JobState.Failed, job.Name);
            return;
        }

        // Its output goes on from the lines its earlier attempts (or what scheduled it) wrote.
        var output = new JobOutput(store, options.Value, time, firstLine: job.LineCount);
        output.Attach(job.Id);
        if (!queue.TryEnqueueClaimed(new JobRun(job.Id, job.Name, work, output, job.TraceParent, job.Attempt, job.Retry, claimed: true)))
        {
            // The app began to stop as it was claimed: back to the schedule, for another node (or, in memory, for the
            // shutdown that ends every scheduled job).
            _ = output.CloseAsync();
            if (!await store.TryReleaseAsync(job.Id))
            {
                await store.TryFinishAsync(job.Id, JobState.Canceled, finalLine: IJobStore.CanceledLine);
            }

            return;
        }

        if (job.Attempt == 1)
        {
            metrics.Started(job.Name);
        }
        else
        {
            metrics.Retried(job.Name);
        }
    }

    /// <summary>
    /// A due time as the scheduler keeps it: in whole milliseconds, as Redis does and as timers fire, so a job is never
    /// a fraction of a millisecond short of due when its timer fires.
    /// </summary>
    public static DateTimeOffset DueTime(DateTimeOffset time) => time.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerMillisecond));

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private Task Delay(TimeSpan delay, CancellationToken token) => Task.Delay(delay, time, token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due jobs could not be claimed ({Reason}: {Message}); they wait, and are claimed once the store answers again.")]
    private partial void LogClaimFailed(string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown canceled {Count} scheduled jobs: the in-memory store keeps no job across a restart.")]
    private partial void LogScheduledCanceled(int count);
}
