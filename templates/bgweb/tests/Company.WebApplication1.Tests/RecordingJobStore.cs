using System.Collections.Concurrent;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>The in-memory store, plus a signal for each removal so tests wait for cleanup instead of guessing.</summary>
public sealed class RecordingJobStore : IJobStore
{
    private readonly InMemoryJobStore _inner = new();
    private readonly ConcurrentDictionary<JobId, TaskCompletionSource> _removals = new();

    public int Count => _inner.Count;

    public Task WhenRemoved(JobId id) => Removal(id).Task;

    public void Add(Job job) => _inner.Add(job);

    public Job? Find(JobId id) => _inner.Find(id);

    public IReadOnlyCollection<Job> List() => _inner.List();

    public bool Remove(JobId id)
    {
        var removed = _inner.Remove(id);
        if (removed)
        {
            Removal(id).TrySetResult();
        }

        return removed;
    }

    private TaskCompletionSource Removal(JobId id) =>
        _removals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
