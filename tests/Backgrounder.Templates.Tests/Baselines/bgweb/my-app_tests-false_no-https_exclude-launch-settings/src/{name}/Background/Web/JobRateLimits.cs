using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace my_app.Background;

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
