using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>The seed's <c>@background</c>: queue a job and return its id at once.</summary>
public sealed class BackgroundJobs(
    IJobStore store,
    JobQueue queue,
    JobRetention retention,
    BackgrounderMetrics metrics,
    TimeProvider time,
    IOptions<BackgrounderOptions> options)
{
    private readonly Lock _admission = new();
    private int _nextTrimAt;

    /// <exception cref="JobQueueFullException">Every queue slot is taken; nothing was recorded.</exception>
    public JobId Start(JobWork work)
    {
        var id = JobId.New();
        var handlerCapture = OutputCapture.Current;
        var claimed = handlerCapture?.TryClaim(id) == true;
        var output = claimed ? handlerCapture!.Output : new JobOutput(options.Value.MaxOutputLines);
        var job = new Job(id, work, output, time.GetUtcNow()) { Finishing = metrics.Finished };

        lock (_admission)
        {
            if (!queue.TryEnqueue(job))
            {
                if (claimed)
                {
                    handlerCapture!.Release(id);
                }

                metrics.Rejected();
                throw new JobQueueFullException(options.Value.QueueCapacity);
            }

            MakeRoomForOne();

            // Recorded after it is queued, so a refused job leaves no trace; a worker never needs the store.
            store.Add(job);
        }

        metrics.Started();
        return id;
    }

    /// <summary>
    /// Keeps the registry within <see cref="BackgrounderOptions.MaxRetainedJobs"/> at every moment, not only at the
    /// next cleanup tick: at the limit, the oldest finished tenth goes at once, so the sort runs rarely. When nothing
    /// could go (every kept job is queued or running), the next attempt waits for a tenth more starts instead of
    /// rescanning the registry on each one.
    /// </summary>
    private void MakeRoomForOne()
    {
        var max = options.Value.MaxRetainedJobs;
        var count = store.Count;
        if (count < max || count < _nextTrimAt)
        {
            return;
        }

        var removed = retention.RemoveExpired(Math.Max(0, max - 1 - (max / 10)));
        _nextTrimAt = removed > 0 ? 0 : count + (max / 10) + 1;
    }
}
