using System.Collections.Concurrent;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Later;

/// <summary>A delayed job that records how late it started: now, on the system clock, minus the time it was due.</summary>
public sealed class DelayProbeJob : IJob<DateTimeOffset>
{
    public static ConcurrentQueue<(double LateMs, string Node)> Samples { get; } = new();

    public Task RunAsync(DateTimeOffset runAt, JobContext context, CancellationToken cancellationToken)
    {
        Samples.Enqueue(((DateTimeOffset.UtcNow - runAt).TotalMilliseconds, context.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BackgrounderOptions>>().Value.NodeName));
        return Task.CompletedTask;
    }
}
