using System.Collections.Concurrent;

namespace Company.WebApplication1.Background;

/// <summary>The registry of a single web node.</summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<JobId, Job> _jobs = new();

    public int Count => _jobs.Count;

    public void Add(Job job) => _jobs[job.Id] = job;

    public Job? Find(JobId id) => _jobs.GetValueOrDefault(id);

    public IReadOnlyCollection<Job> List() => [.. _jobs.Values];

    public bool Remove(JobId id) => _jobs.TryRemove(id, out _);
}
