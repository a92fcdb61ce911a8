using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// Degraded once the queue is more than 90 % full: the app still answers, but starts will soon be refused with 503,
/// which a load balancer or an operator may want to know first.
/// </summary>
internal sealed class JobQueueHealthCheck(JobQueue queue, IOptions<BackgrounderOptions> options) : IHealthCheck
{
    private const double DegradedAbove = 0.9;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var capacity = options.Value.QueueCapacity;
        var queued = queue.Count;
        var description = $"{queued} of {capacity} queue slots taken.";
        var data = new Dictionary<string, object> { ["queued"] = queued, ["capacity"] = capacity };
        return Task.FromResult(queued > capacity * DegradedAbove
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
