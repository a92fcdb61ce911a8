using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// <c>Backgrounder:StartsPerMinutePerClient</c> for all nodes together: a counter in Redis per client and window, so a
/// load balancer spreading a client's starts over the nodes does not multiply its limit.
/// </summary>
internal sealed class RedisStartCounter(IConnectionMultiplexer redis, RedisJobStore store)
{
    /// <summary>Counts one start of <paramref name="client"/>; how many it made in this window, and when the window ends.</summary>
    /// <exception cref="JobsUnavailableException">Redis cannot count now (the start answers 503).</exception>
    public async Task<(long Starts, TimeSpan WindowLeft)> CountAsync(string client)
    {
        var result = (RedisResult[])(await store.Call(() => redis.GetDatabase().ScriptEvaluateAsync(
            RedisScripts.CountStart, [store.Prefix + "starts:" + client], [(long)JobRateLimits.StartsWindow.TotalMilliseconds])))!;
        return ((long)result[0], TimeSpan.FromMilliseconds((long)result[1]));
    }
}
