using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// Starts jobs: <c>await jobs.StartAsync(work)</c> records a job, queues it on this node and
/// returns its id at once; a worker runs it. From a GET endpoint with <c>.WithBackgrounder()</c> the request then
/// answers 303 to <c>?_t=&lt;id&gt;</c>, and what the handler printed first opens the job's output.
/// </summary>
public sealed class BackgroundJobs
{
    private readonly JobQueue _queue;
    private readonly IJobStore _store;
    private readonly JobMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly BackgrounderOptions _options;

    internal BackgroundJobs(JobQueue queue, IJobStore store, JobMetrics metrics, TimeProvider time, IOptions<BackgrounderOptions> options)
    {
        (_queue, _store, _metrics, _time, _options) = (queue, store, metrics, time, options.Value);
    }

    /// <summary>Starts <paramref name="work"/> in the background and returns the new job's id.</summary>
    /// <exception cref="BadHttpRequestException">
    /// With status 503 when the job cannot be taken now: the queue is full, the app is stopping, or the store cannot
    /// be reached. Nothing was recorded. <c>.WithBackgrounder()</c> answers it with 503 and <c>Retry-After</c>.
    /// </exception>
    public async Task<JobId> StartAsync(JobWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!_queue.TryReserve())
        {
            _metrics.Rejected();
            throw new JobsUnavailableException($"The job queue is full ({_options.QueueCapacity} jobs waiting) or the app is stopping; try again shortly.");
        }

        var capture = OutputCapture.Current;
        var claimed = capture?.TryClaim();
        var output = claimed ?? new JobOutput(_store, _options, _time);
        var id = JobId.New();
        try
        {
            // The owner is part of the record from the start: no client ever sees the job unbound.
            var job = new JobStatus(id, JobState.Queued, _time.GetUtcNow(), Node: _options.NodeName) { Owner = capture?.Owner };
            await _store.CreateAsync(job, cancellationToken);
        }
        catch
        {
            // Not recorded: the handler keeps what it printed (it reaches stdout), and the slot is free again.
            if (claimed is not null)
            {
                capture!.Unclaim();
            }

            _queue.ReleaseReservation();
            _metrics.Rejected();
            throw;
        }

        output.Attach(id);
        if (!_queue.TryEnqueue(new JobRun(id, work, output)))
        {
            // The app began to stop while the job was recorded: it never runs, and nothing is left queued.
            await _store.TryFinishAsync(id, JobState.Canceled, finalLine: IJobStore.CanceledLine, cancellationToken: CancellationToken.None);
            _metrics.Rejected();
            throw new JobsUnavailableException("The app is stopping; no job was started.");
        }

        _metrics.Started();
        return id;
    }
}
