using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>Unhealthy while Redis cannot be reached: this node can neither start nor show jobs.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis cannot be reached.", exception);
        }
    }
}
