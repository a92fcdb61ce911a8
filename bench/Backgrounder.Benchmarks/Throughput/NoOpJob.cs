using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>A job that does nothing: what is left to measure is the pattern's own cost.</summary>
public static class NoOpJob
{
    public static Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
