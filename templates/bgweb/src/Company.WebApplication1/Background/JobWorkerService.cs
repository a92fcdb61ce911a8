using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// A fixed number of workers that take jobs from the queue and run them. The seed started a thread
/// per request; here <see cref="BackgrounderOptions.MaxConcurrentJobs"/> bounds the work in flight.
/// </summary>
public sealed partial class JobWorkerService(
    JobQueue queue,
    BackgrounderMetrics metrics,
    TimeProvider time,
    IOptions<BackgrounderOptions> options,
    ILogger<JobWorkerService> logger) : BackgroundService
{
    public const string InterruptedLine = "Job interrupted: the app stopped before the job did.";

    private readonly ConcurrentDictionary<JobId, Job> _running = new();
    private volatile bool _stopping;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        JobConsoleRouter.Install();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Queued jobs end Canceled without running; running ones see their token fire and get until the host's
    /// shutdown timeout to stop; those still running then are recorded Interrupted, so nothing is left "Running".
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var canceled = 0;
        while (queue.TryDequeue(out var queued))
        {
            canceled += queued.TryCancel(time.GetUtcNow()) ? 1 : 0;
        }

        var running = _running.Count;

        // Cancels every running job's token, then waits for the workers or for the shutdown timeout.
        await base.StopAsync(cancellationToken);

        var interrupted = 0;
        foreach (var job in _running.Values.Where(job => !job.Status.IsFinished))
        {
            job.Output.WriteLine(InterruptedLine);
            interrupted += job.TryFinish(JobState.Interrupted, time.GetUtcNow()) ? 1 : 0;
        }

        if (canceled + running > 0)
        {
            LogShutdown(canceled, running, interrupted);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrentJobs).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path before the first job: a job that blocks before its first await then blocks
        // only this worker, never StartAsync. Once per worker, not once per job, so jobs run without a thread-pool hop.
        await Task.Yield();
        try
        {
            await foreach (var job in queue.DequeueAllAsync(stoppingToken))
            {
                await RunAsync(job, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        if (_stopping)
        {
            // Taken from the queue just as the host began to stop: it never runs.
            job.TryCancel(time.GetUtcNow());
            return;
        }

        if (!job.TryStart(time.GetUtcNow()) || job.TakeWork() is not { } work)
        {
            // Canceled while it waited: it never runs.
            return;
        }

        metrics.Running();
        _running[job.Id] = job;
        try
        {
            await RunStartedAsync(job, work, stoppingToken);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }

    private async Task RunStartedAsync(Job job, JobWork work, CancellationToken stoppingToken)
    {
        // The job's own token, not a linked one: a cancel request (POST /jobs/{id}/cancel) must show on it at once,
        // and a stopping host cancels the job the same way.
        using var stopping = stoppingToken.Register(() => job.TryCancel(time.GetUtcNow()));

        Exception? failure = null;

        // Changes to the async-local capture stay inside this call: each job routes Console to itself.
        using (OutputCapture.Begin(job.Output, job.Id))
        {
            try
            {
                await work(new JobContext(job), job.CancellationToken);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        if (job.Status.IsFinished)
        {
            // Recorded Interrupted at shutdown while it ignored its token; what it did since is not news.
            return;
        }

        // The capture is closed first, so an unfinished last line comes before the line that ends the job,
        // and every line comes before the final state that live readers stop at.
        switch (failure)
        {
            case null:
                job.TryFinish(JobState.Succeeded, time.GetUtcNow());
                break;
            case OperationCanceledException when job.CancellationToken.IsCancellationRequested:
                job.Output.WriteLine(Job.CanceledLine);
                job.TryFinish(JobState.Canceled, time.GetUtcNow());
                break;
            default:
                // The seed lost a failing thread's traceback; here it is in the output, the status and the log.
                var error = $"{failure.GetType().Name}: {failure.Message}";
                job.Output.WriteLine($"Job failed: {error}");
                job.TryFinish(JobState.Failed, time.GetUtcNow(), error);
                LogJobFailed(failure, job.Id);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown cut jobs short: {Canceled} queued jobs canceled, {Running} running jobs asked to stop, {Interrupted} of them interrupted.")]
    private partial void LogShutdown(int canceled, int running, int interrupted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed.")]
    private partial void LogJobFailed(Exception exception, JobId jobId);
}
