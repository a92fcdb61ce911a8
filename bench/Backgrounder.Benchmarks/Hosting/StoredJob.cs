using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>A job recorded straight into the store as a worker leaves one: queued, running, its lines, then succeeded.</summary>
public static class StoredJob
{
    public static async Task<JobId> AddFinishedAsync(IJobStore store, IReadOnlyList<string> lines)
    {
        var id = await AddRunningAsync(store);
        await store.AppendAsync(id, new JobLines(0, lines));
        await store.TryFinishAsync(id, JobState.Succeeded);
        return id;
    }

    public static async Task<JobId> AddRunningAsync(IJobStore store)
    {
        var id = JobId.New();
        await store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow));
        await store.TryStartAsync(id);
        return id;
    }
}
