using System.Globalization;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// The Redis store's part on time: claims of due jobs (<c>claim.lua</c>, one node, once, and found again when a claim
/// was applied but its answer lost), next attempts, claims handed back, and a gone node's jobs ended or rescheduled.
/// </summary>
internal sealed partial class RedisJobStore
{
    private volatile bool _claimsUncertain;

    public event Action? Scheduled;

    private RedisChannel ScheduledChannel => RedisChannel.Literal(_prefix + "scheduled");

    public async Task<DueJobs> ClaimDueAsync(IReadOnlyCollection<string> names, int most, CancellationToken cancellationToken = default)
    {
        var claimed = new List<JobId>();
        if (_claimsUncertain)
        {
            // A claim answered with an error may have been applied: its jobs wait Queued here, and only here.
            var found = (RedisResult[])(await Eval(RedisScripts.Claimed, id: null, options.Value.NodeName, Node.RunId))!;
            claimed.AddRange(found.Select(id => JobId.TryParse((string?)id, out var jobId) ? jobId : (JobId?)null).OfType<JobId>().Where(id => Held.Get(id) is null));
            _claimsUncertain = false;
        }

        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await Eval(
                RedisScripts.Claim,
                id: null,
                [
                    time.GetUtcNow().ToUnixTimeMilliseconds(), options.Value.NodeName, Node.RunId, Math.Max(0, most - claimed.Count),
                    options.Value.MaxRetainedJobs, .. names.Select(name => (RedisValue)name),
                ]))!;
        }
        catch
        {
            _claimsUncertain = true;
            throw;
        }

        claimed.AddRange(result.Skip(1).Select(id => JobId.TryParse((string?)id, out var jobId) ? jobId : (JobId?)null).OfType<JobId>());
        var nextDue = (string?)result[0] is { Length: > 0 } ms ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture)) : (DateTimeOffset?)null;
        try
        {
            var jobs = (await Task.WhenAll(claimed.Select(id => GetAsync(id, cancellationToken)))).OfType<JobStatus>().ToList();
            foreach (var job in jobs)
            {
                Held.Hold(job);
            }

            return new DueJobs(jobs, nextDue);
        }
        catch
        {
            // Claimed, but not read: the next claim finds them.
            _claimsUncertain = true;
            throw;
        }
    }

    public async Task<bool> TryRetryAsync(JobId id, int attempt, DateTimeOffset runAt, string line, CancellationToken cancellationToken = default)
    {
        var result = await EvalHeld(RedisScripts.Retry, id, attempt, runAt.ToUnixTimeMilliseconds(), line, options.Value.MaxOutputLines, options.Value.MaxOutputBytes);
        if (result is 1 or 2)
        {
            // On no node now: whichever claims its next attempt holds it then.
            Held.Release(id);
            return true;
        }

        return false;
    }

    public async Task<bool> TryReleaseAsync(JobId id, CancellationToken cancellationToken = default)
    {
        var released = await EvalHeld(RedisScripts.Release, id, options.Value.NodeName) == 1;
        Held.Release(id);
        return released;
    }

    /// <summary>
    /// The jobs of a node that is gone (or of this name's previous run, <paramref name="takeOver"/>) end Interrupted,
    /// or have their next attempt scheduled when their class allows it; <paramref name="reason"/> says why.
    /// </summary>
    public async Task<long> InterruptNodeAsync(string node, string reason, bool takeOver) =>
        (long)await Eval(
            RedisScripts.InterruptNode,
            id: null,
            [.. Finishing(), node, $"Job interrupted: {reason}.", takeOver ? "1" : "0", Random.Shared.NextDouble().ToString("R", CultureInfo.InvariantCulture), reason]);

    /// <summary>Pub/sub delivers at most once: the scheduler looks again for due jobs at every heartbeat too.</summary>
    public void NotifyScheduled() => Scheduled?.Invoke();
}
