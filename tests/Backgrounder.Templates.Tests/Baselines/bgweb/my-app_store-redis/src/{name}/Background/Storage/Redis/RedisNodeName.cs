using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// One live process per node name. The heartbeat key holds the run id of the process beating under the name; a
/// process that finds another run's beat waits one heartbeat period: renewed meanwhile, that run is alive and this
/// one refuses to serve (at start-up it stops; reached later, it stays unready); not renewed, this run takes the
/// name over and marks the previous run's jobs Interrupted, which would otherwise stay Running for ever.
/// </summary>
internal sealed class RedisNodeName(IConnectionMultiplexer redis, RedisJobStore store, string node)
{
    private string? _otherRun;

    public bool Claimed { get; private set; }

    public RedisKey HeartbeatKey => store.Prefix + "node:" + node;

    public string Beat(DateTimeOffset now) => $"{store.Node.RunId} {now:O}";

    public string Taken =>
        $"Another live process runs as node '{node}': give each process its own Backgrounder:NodeName (or leave it unset for a unique one).";

    /// <summary>At start-up, with Redis reachable: throws when another live process holds the name.</summary>
    public async Task ClaimAtStartAsync(Func<Task> waitOneBeat)
    {
        if (await HolderAsync() is { } holder)
        {
            await waitOneBeat();
            if (await HolderAsync() is { } now && now != holder)
            {
                throw new InvalidOperationException(Taken);
            }
        }

        await TakeOverAsync();
    }

    /// <summary>At a beat, for a node that reached Redis only after it started: true once the name is this run's.</summary>
    public async Task<bool> TryClaimAsync()
    {
        var holder = await HolderAsync();
        if (holder is not null && holder != _otherRun)
        {
            // Seen for the first time, or renewed since: look again at the next beat.
            store.Node.NameRefused(_otherRun is null ? $"Waiting one heartbeat to see whether another process runs as node '{node}'." : Taken);
            _otherRun = holder;
            return false;
        }

        await TakeOverAsync();
        return true;
    }

    private async Task<string?> HolderAsync()
    {
        var holder = (string?)await redis.GetDatabase().StringGetAsync(HeartbeatKey);
        return holder is null || holder.StartsWith(store.Node.RunId, StringComparison.Ordinal) ? null : holder;
    }

    private async Task TakeOverAsync()
    {
        await store.InterruptNodeAsync(node, $"node {node} restarted", takeOver: true);
        store.Node.NameRefused(null);
        Claimed = true;
    }
}
