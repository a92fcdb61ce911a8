using System.Collections.Concurrent;

namespace Acme.Shop.Background;

/// <summary>
/// What this node knows of the jobs it holds (queued or running here): their records as they stand, so a job whose
/// record Redis forgot (a restart without persistence, FLUSHDB) is written back whole, with the lost lines counted as
/// dropped; and the starts answered "unavailable" whose create may still reach Redis late, to be removed.
/// </summary>
internal sealed class RedisHeldJobs
{
    private readonly ConcurrentDictionary<JobId, JobStatus> _records = new();
    private readonly ConcurrentDictionary<JobId, byte> _abandoned = new();

    public ICollection<JobId> Held => _records.Keys;

    public ICollection<JobId> Abandoned => _abandoned.Keys;

    public void Hold(JobStatus job) => _records[job.Id] = job;

    public JobStatus? Get(JobId id) => _records.GetValueOrDefault(id);

    /// <summary>Applies a change the store recorded (or may have) to this node's copy, if it holds the job.</summary>
    public void Update(JobId id, Func<JobStatus, JobStatus> change)
    {
        while (_records.TryGetValue(id, out var record) && !_records.TryUpdate(id, change(record), record))
        {
        }
    }

    public void Release(JobId id) => _records.TryRemove(id, out _);

    /// <summary>A start refused after its create was sent: if the create reached Redis after all, it goes.</summary>
    public void Abandon(JobId id)
    {
        Release(id);
        _abandoned[id] = 0;
    }

    public void Forget(JobId id) => _abandoned.TryRemove(id, out _);
}
