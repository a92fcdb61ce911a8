using System.Collections.Concurrent;

namespace Acme.Shop.Background;

/// <summary>
/// The waiters of <see cref="IJobStore.NextChange"/>, per job. Costs nothing while nobody follows a job, so a
/// chatty job pays nothing for readers it does not have.
/// </summary>
internal sealed class JobChangeSignals
{
    private readonly ConcurrentDictionary<JobId, TaskCompletionSource> _waiters = new();

    public Task Next(JobId id) =>
        _waiters.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(JobId id)
    {
        // Looked up first, without a lock: most changes have no follower, and a removal always takes one.
        if (_waiters.ContainsKey(id) && _waiters.TryRemove(id, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter, as after a lost connection: each pulls again from where it was.</summary>
    public void NotifyAll()
    {
        foreach (var id in _waiters.Keys)
        {
            Notify(id);
        }
    }
}
