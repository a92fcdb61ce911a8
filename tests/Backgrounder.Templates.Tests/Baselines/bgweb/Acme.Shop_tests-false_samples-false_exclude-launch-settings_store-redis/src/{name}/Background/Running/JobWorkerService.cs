using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Background;

/// <summary>
/// <see cref="BackgrounderOptions.MaxConcurrentJobs"/> workers that take jobs from the queue and run them. Whatever a
/// job does, its worker survives and the job reaches a final state.
/// </summary>
internal sealed partial class JobWorkerService(
    JobQueue queue,
    IJobStore store,
    JobMetrics metrics,
    JobRegistry registry,
    JobRetries retries,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IHostEnvironment environment,
    IOptions<BackgrounderOptions> options,
    ILogger<JobWorkerService> logger) : BackgroundService
{
    public const string InterruptedLine = "Job interrupted: the app stopped before the job did.";

    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    // Each worker's job, in the worker's own slot: a cancel or a shutdown looks through these few, and running a job
    // takes no lock that the other workers would wait on.
    private readonly JobRun?[] _running = new JobRun?[options.Value.MaxConcurrentJobs];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Jobs that block a thread (Thread.Sleep, a synchronous SDK) must not starve requests: the pool gets a
        // thread per worker at once instead of adding one every half second.
        ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
        ThreadPool.SetMinThreads(Math.Max(workerThreads, Environment.ProcessorCount + options.Value.MaxConcurrentJobs), ioThreads);

        ConsoleRouter.Install();
        store.CancelRequested += OnCancelRequested;
        LogNodeStarted(options.Value.NodeName, Environment.MachineName, Environment.ProcessId);
        LogJobsRegistered(registry.Jobs.Count, string.Join(", ", registry.Jobs.Keys));
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Queued jobs end Canceled without running, and starts are refused from now on; running ones see their token
    /// fire and get until the host's shutdown timeout to stop; those still running then end Interrupted.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var canceled = 0;
        foreach (var run in queue.Complete())
        {
            // A due job this node claimed but will not run goes back to the schedule, for another node (with the
            // in-memory store, the scheduler then ends it, as it ends every scheduled job at shutdown).
            if (run.Claimed && await retries.TryReleaseAsync(run))
            {
                _ = run.Output.CloseAsync();
                continue;
            }

            canceled += await FinishAsync(run, JobState.Canceled, finalLine: IJobStore.CanceledLine, stoppingToken: cancellationToken) ? 1 : 0;
        }

        var running = Running().Count();

        // Cancels the stopping token, which every running job's token follows, then waits for the workers or the timeout.
        await base.StopAsync(cancellationToken);

        var interrupted = 0;
        foreach (var run in Running())
        {
            // Closed first: whatever the job still writes goes to stdout, after the line that ends it.
            _ = run.Output.CloseAsync();
            if (run.Retry is { OnInterrupted: true } && await retries.TryScheduleNextAsync(run, "interrupted: the app stopped before it did", cancellationToken))
            {
                run.Activity?.Stop();
                continue;
            }

            interrupted += await FinishAsync(run, JobState.Interrupted, finalLine: InterruptedLine, stoppingToken: cancellationToken) ? 1 : 0;

            // Its code may never return: its trace ends here, with the state just recorded.
            run.Activity?.Stop();
        }

        store.CancelRequested -= OnCancelRequested;
        if (canceled + running > 0)
        {
            LogShutdown(canceled, running, interrupted);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _running.Length).Select(worker => Task.Run(() => WorkAsync(worker, stoppingToken))));

    private async Task WorkAsync(int worker, CancellationToken stoppingToken)
    {
        try
        {
            while (await queue.DequeueAsync(stoppingToken) is { } run)
            {
                // Known before it starts, so a cancel that comes at once finds it.
                Volatile.Write(ref _running[worker], run);
                await RunAsync(run, stoppingToken);
                Volatile.Write(ref _running[worker], null);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private void OnCancelRequested(JobId id)
    {
        // The store has recorded the cancel: a queued job frees its slot at once, a running one sees its token fire.
        if (queue.TryRemove(id, out var queued))
        {
            // The store ended it Canceled; this node only counts it.
            metrics.Finished(JobState.Canceled, queued.Name);
        }
        else if (Running().FirstOrDefault(run => run.Id == id) is { } run)
        {
            // CancelAsync runs the job's callbacks on the thread pool, not on the thread of the request that canceled it.
            _ = run.Cancellation.CancelAsync();
        }
    }

    private IEnumerable<JobRun> Running() =>
        Enumerable.Range(0, _running.Length).Select(worker => Volatile.Read(ref _running[worker])).OfType<JobRun>();

    /// <summary>Runs one job to its final state. Never throws: the worker goes on to the next job whatever happens.</summary>
    private async Task RunAsync(JobRun run, CancellationToken stoppingToken)
    {
        try
        {
            // False when it was canceled while it waited: then it never runs. Taken off the queue already, it is
            // this worker's to count (OnCancelRequested counts those it takes off the queue itself).
            if (!await RetryAsync(static (store, id) => store.TryStartAsync(id), run.Id, stoppingToken))
            {
                metrics.Finished(JobState.Canceled, run.Name);
            }
            else
            {
                // The run's own services (a DbContext, say) live until its final state is recorded, not a request's.
                await using var scope = scopes.CreateAsyncScope();
                run.Activity = JobTracing.StartRun(run);
                using var logScope = logger.BeginScope(new JobLogScope(run.Id, run.Name, run.Attempt));
                using var stopping = stoppingToken.Register(static run => ((JobRun)run!).Cancellation.Cancel(), run);
                var started = time.GetTimestamp();
                metrics.Running(1);
                var failure = await ExecuteAsync(run, scope.ServiceProvider);
                metrics.Running(-1);

                // Every line the job wrote reaches the store before its final state, and none after it.
                await run.Output.CloseAsync();
                await EndAsync(run, failure, stoppingToken);
                metrics.Ran(time.GetElapsedTime(started), run.Name);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping before the store could be reached; StopAsync ends the job.
        }
        catch (Exception exception)
        {
            // Outside the job's own code (a store error, a logger that throws): the job ends Failed, the worker goes on.
            var type = exception.GetType().Name;
            JobTracing.Failed(run.Activity, exception, type);
            await FinishAsync(run, JobState.Failed, type, $"Job failed: {type}");
        }
        finally
        {
            // Once its final state is recorded (and a failure logged, in the run's trace), or none could be.
            run.Activity?.Stop();
        }
    }

    private static async Task<Exception?> ExecuteAsync(JobRun run, IServiceProvider services)
    {
        // Set inside this call, so it stays with this job's flow; disposing it sends whatever still holds it
        // (a timer, a forgotten task) to stdout instead of this job's output.
        using var capture = OutputCapture.ForJob(run.Output);
        try
        {
            await run.Work(new JobContext(run, services), run.Cancellation.Token);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private async Task EndAsync(JobRun run, Exception? failure, CancellationToken stoppingToken)
    {
        switch (failure)
        {
            case null:
                await FinishAsync(run, JobState.Succeeded, stoppingToken: stoppingToken);
                break;
            case OperationCanceledException when run.Cancellation.IsCancellationRequested:
                await FinishAsync(run, JobState.Canceled, finalLine: IJobStore.CanceledLine, stoppingToken: stoppingToken);
                break;
            default:
                // Outside Development a client sees the exception's type and a reference to the log, never its message.
                var type = failure.GetType().Name;
                var reference = environment.IsDevelopment() ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
                var error = reference is null ? $"{type}: {MessageOf(failure)}" : $"{type} (reference {reference})";
                JobTracing.Failed(run.Activity, failure, error);

                // A cancel stops the retrying: the attempt that failed meanwhile is the last.
                if (run.Cancellation.IsCancellationRequested || !await retries.TryScheduleNextAsync(run, $"failed: {type}", stoppingToken))
                {
                    await FinishAsync(run, JobState.Failed, error, $"Job failed: {error}", stoppingToken);
                }

                try
                {
                    LogJobFailed(failure, run.Id, reference ?? "none");
                }
                catch (Exception)
                {
                    // A logger that throws must not take the worker with it; the job's output and status tell it.
                }

                break;
        }
    }

    /// <summary>Records the final state; false when the job had one already (finished elsewhere, or by shutdown). Never throws.</summary>
    private async Task<bool> FinishAsync(JobRun run, JobState state, string? error = null, string? finalLine = null, CancellationToken stoppingToken = default)
    {
        try
        {
            if (!await RetryAsync(
                static (store, end) => store.TryFinishAsync(end.Id, end.State, end.Error, end.FinalLine, end.Attempt),
                (run.Id, State: state, Error: error, FinalLine: finalLine, run.Attempt),
                stoppingToken))
            {
                return false;
            }
        }
        catch (Exception)
        {
            // The store stayed unreachable until shutdown; a shared store marks the job Interrupted once this node is gone.
            return false;
        }

        metrics.Finished(state, run.Name);
        JobTracing.Finished(run.Activity, state);
        return true;
    }

    /// <summary>
    /// A store that cannot be reached (Redis restarting, say) is waited for, not fatal to the job. The call gets its
    /// arguments rather than capturing them: no closure per job (docs/benchmarks.md, measure 1, bytes per job).
    /// </summary>
    private async Task<bool> RetryAsync<TArgs>(Func<IJobStore, TArgs, Task<bool>> call, TArgs args, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await call(store, args);
            }
            catch (JobsUnavailableException) when (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(StoreRetryDelay, time, stoppingToken);
            }
        }
    }

    private static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message;
        }
        catch (Exception)
        {
            return "(its message could not be read)";
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} job classes registered: {Names}.")]
    private partial void LogJobsRegistered(int count, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} runs on {Host} as process {ProcessId}.")]
    private partial void LogNodeStarted(string node, string host, int processId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown cut jobs short: {Canceled} queued jobs canceled, {Running} running jobs asked to stop, {Interrupted} of them interrupted.")]
    private partial void LogShutdown(int canceled, int running, int interrupted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed (reference {Reference}).")]
    private partial void LogJobFailed(Exception exception, JobId jobId, string reference);
}
