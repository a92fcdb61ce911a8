using Acme.Shop.Background;

namespace Acme.Shop.Tests;

/// <summary>Waits on the store's own change signal, with a generous timeout that only a broken app reaches.</summary>
public static class JobWaiting
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<JobStatus> WaitForAsync(this IJobStore store, JobId id, Func<JobStatus, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            // Taken before the read: a change between the read and the wait still wakes this loop.
            var changed = store.NextChange(id);
            var status = await store.StatusAsync(id);
            if (condition(status))
            {
                return status;
            }

            await changed.WaitAsync(timeout.Token);
        }
    }

    public static Task<JobStatus> WaitUntilFinishedAsync(this IJobStore store, JobId id) =>
        store.WaitForAsync(id, status => status.IsFinished);

    public static Task<JobStatus> WaitForLinesAsync(this IJobStore store, JobId id, long count) =>
        store.WaitForAsync(id, status => status.LineCount >= count);

    public static async Task<JobStatus> StatusAsync(this IJobStore store, JobId id) =>
        await store.GetAsync(id) ?? throw new InvalidOperationException($"No job {id}.");

    public static async Task<IReadOnlyList<string>> LinesAsync(this IJobStore store, JobId id) =>
        (await store.ReadLinesAsync(id, 0)).Lines;
}
