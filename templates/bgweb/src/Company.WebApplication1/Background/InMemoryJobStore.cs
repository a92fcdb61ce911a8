using System.Collections.Concurrent;

namespace Company.WebApplication1.Background;

/// <summary>The registry of a single web node.</summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<JobId, Job> _jobs = new();

    // Kept here because ConcurrentDictionary.Count takes every one of its locks (up to 1024 as it grows),
    // and every Start asks for the count.
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(Job job)
    {
        if (_jobs.TryAdd(job.Id, job))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _jobs[job.Id] = job;
        }
    }

    public Job? Find(JobId id) => _jobs.GetValueOrDefault(id);

    public IReadOnlyCollection<Job> List() => [.. _jobs.Values];

    public bool Remove(JobId id)
    {
        if (!_jobs.TryRemove(id, out _))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }
}
