using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>The seed's <c>@background</c>: queue a job and return its id at once.</summary>
public sealed class BackgroundJobs(IJobStore store, JobQueue queue, TimeProvider time, IOptions<BackgrounderOptions> options)
{
    /// <exception cref="JobQueueFullException">Every queue slot is taken; nothing was recorded.</exception>
    public JobId Start(JobWork work)
    {
        var id = JobId.New();
        var handlerCapture = OutputCapture.Current;
        var claimed = handlerCapture?.TryClaim(id) == true;
        var output = claimed ? handlerCapture!.Output : new JobOutput(options.Value.MaxOutputLines);
        var job = new Job(id, work, output, time.GetUtcNow());

        if (!queue.TryEnqueue(job))
        {
            if (claimed)
            {
                handlerCapture!.Release(id);
            }

            throw new JobQueueFullException(options.Value.QueueCapacity);
        }

        // Recorded after it is queued, so a refused job leaves no trace; a worker never needs the store.
        store.Add(job);
        return id;
    }
}
