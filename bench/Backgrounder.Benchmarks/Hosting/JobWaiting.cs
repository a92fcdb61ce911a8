using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>Waits on the store's own change signal, as a client of <see cref="IJobStore"/> would, with a timeout only a broken run reaches.</summary>
public static class JobWaiting
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<JobStatus> WaitUntilFinishedAsync(this IJobStore store, JobId id)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            // Taken before the read: a change between the read and the wait still wakes this loop.
            var changed = store.NextChange(id);
            var status = await store.GetAsync(id) ?? throw new InvalidOperationException($"Job {id} is gone.");
            if (status.IsFinished)
            {
                return status;
            }

            await changed.WaitAsync(timeout.Token);
        }
    }

    /// <summary>Starts a job through the app's own <see cref="BackgroundJobs"/> and waits until it has finished.</summary>
    public static async Task<JobStatus> RunToEndAsync(this IServiceProvider services, JobWork work)
    {
        var id = await services.GetRequiredService<BackgroundJobs>().StartAsync(work);
        return await services.GetRequiredService<IJobStore>().WaitUntilFinishedAsync(id);
    }
}
