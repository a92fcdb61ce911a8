using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>The Redis store's repairs, which the heartbeat runs: what Redis forgot written back, refused starts that arrived after all removed.</summary>
internal sealed partial class RedisJobStore
{
    /// <summary>Writes back a job this node holds whose record Redis no longer has; false when Redis still had it.</summary>
    public async Task<bool> RestoreAsync(JobId id)
    {
        if (Held.Get(id) is not { } job)
        {
            return false;
        }

        // The lines Redis lost are gone for good: counted as dropped, so numbers go on where they were.
        return (long)await Eval(RedisScripts.Restore, id, [.. Placement(job), .. RedisJobFields.ToFields(job)]) == 1;
    }

    public async Task<IReadOnlyList<JobId>> MissingAsync(IReadOnlyCollection<JobId> ids)
    {
        var missing = (RedisResult[])(await Eval(RedisScripts.Missing, id: null, [.. ids.Select(id => (RedisValue)id.ToString())]))!;
        return [.. missing.Select(id => JobId.TryParse((string?)id, out var jobId) ? jobId : (JobId?)null).OfType<JobId>()];
    }

    /// <summary>Removes a refused start's job if its create reached Redis after all; true once that is settled.</summary>
    public async Task AbandonAsync(JobId id)
    {
        await Eval(RedisScripts.Abandon, id, options.Value.NodeName);
        Held.Forget(id);
    }
}
