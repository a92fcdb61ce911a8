using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>Starts a job through the app's own <see cref="BackgroundJobs"/> and waits until it has finished.</summary>
public static class FinishedJob
{
    public static async Task<Job> RunAsync(IServiceProvider services, JobWork work)
    {
        var id = services.GetRequiredService<BackgroundJobs>().Start(work);
        var job = services.GetRequiredService<IJobStore>().Find(id)!;
        await job.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        return job;
    }
}
