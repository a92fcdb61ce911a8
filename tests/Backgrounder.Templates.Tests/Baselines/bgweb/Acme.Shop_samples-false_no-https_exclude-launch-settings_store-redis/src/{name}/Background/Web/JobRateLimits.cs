using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Background;

/// <summary>
/// The per-client limits, as the framework's rate limiter policies: starts per minute on endpoints behind
/// <c>.WithBackgrounder()</c> (with Redis, for all nodes together), and open event streams (per node: a stream is a
/// connection to one node). A refusal is 429 with <c>Retry-After</c>.
/// </summary>
internal static class JobRateLimits
{
    public const string StartsPolicy = "backgrounder-starts";
    public const string EventStreamsPolicy = "backgrounder-event-streams";

    /// <summary>The window <c>Backgrounder:StartsPerMinutePerClient</c> counts a client's starts in.</summary>
    public static readonly TimeSpan StartsWindow = TimeSpan.FromMinutes(1);

    public static void Add(RateLimiterOptions limiter)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var response = context.HttpContext.Response;
            if (context.Lease.TryGetMetadata(RedisStartsLimiter.Unavailable, out var reason))
            {
                // Redis could not count the start: the store is unavailable, as for any start then.
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = "1";
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(reason!, cancellationToken);
                return;
            }

            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        };

        // Starts per client and minute (Backgrounder:StartsPerMinutePerClient); reading ?_t= is never limited.
        limiter.AddPolicy(StartsPolicy, httpContext =>
        {
            if (httpContext.Request.Query.ContainsKey(BackgrounderFilter.JobIdParameter))
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }

            var client = JobAccess.ClientKey(httpContext);
            var permitLimit = Options(httpContext).StartsPerMinutePerClient;

            // With Redis, counted for all nodes together: behind a load balancer a client's starts go to any node.
            if (httpContext.RequestServices.GetService<RedisStartCounter>() is { } counter)
            {
                var time = httpContext.RequestServices.GetRequiredService<TimeProvider>();
                return RateLimitPartition.Get(client, key => new RedisStartsLimiter(counter, key, permitLimit, time));
            }

            return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitLimit,
                Window = StartsWindow,
                QueueLimit = 0,
            });
        });

        // Open event streams per client (Backgrounder:MaxEventStreamsPerClient): each one holds a connection and a reader.
        limiter.AddPolicy(EventStreamsPolicy, httpContext =>
            RateLimitPartition.GetConcurrencyLimiter(JobAccess.ClientKey(httpContext), _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Options(httpContext).MaxEventStreamsPerClient,
                QueueLimit = 0,
            }));
    }

    private static BackgrounderOptions Options(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<IOptions<BackgrounderOptions>>().Value;
}
