using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// Unhealthy while this node can neither start nor show jobs: Redis takes no write (a PING would still answer when
/// Redis is out of memory or a read-only replica, so the check writes), or the node is unready (Redis evicts keys,
/// or another live process has its name). The reason is the check's description, and logged.
/// </summary>
internal sealed partial class RedisHealthCheck(IConnectionMultiplexer redis, RedisJobStore store, TimeProvider time, ILogger<RedisHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan ProbeLifetime = TimeSpan.FromMinutes(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store.Node.Unready is { } reason)
        {
            LogUnhealthy(reason);
            return HealthCheckResult.Unhealthy(reason);
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            await redis.GetDatabase().StringSetAsync(store.Prefix + "health", time.GetUtcNow().ToString("O"), ProbeLifetime);
            return HealthCheckResult.Healthy($"Redis took a write in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms.");
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception))
        {
            var description = $"Redis takes no write: {RedisJobStore.Reason(exception)}.";
            LogUnhealthy(description);
            return HealthCheckResult.Unhealthy(description, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unhealthy: {Reason}")]
    private partial void LogUnhealthy(string reason);
}
