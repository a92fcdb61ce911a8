using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>A job class that does nothing, registered with <c>AddJob</c>: a run's scope and activation are what is measured.</summary>
public sealed class TypedNoOpJob : IJob
{
    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
