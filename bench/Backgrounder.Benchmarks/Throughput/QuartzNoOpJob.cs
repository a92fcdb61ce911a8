using Quartz;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>Quartz.NET's job class that does nothing.</summary>
public sealed class QuartzNoOpJob : Quartz.IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
