namespace Company.WebApplication1.Background;

/// <summary>
/// The job registry (the seed's threaddb). In memory by default; the seam where a shared store
/// (Redis, say) goes when several web nodes must see the same jobs.
/// </summary>
public interface IJobStore
{
    int Count { get; }

    void Add(Job job);

    Job? Find(JobId id);

    /// <summary>A snapshot: safe to enumerate while jobs start and finish.</summary>
    IReadOnlyCollection<Job> List();

    bool Remove(JobId id);
}
