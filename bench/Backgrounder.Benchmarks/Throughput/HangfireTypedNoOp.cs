namespace Backgrounder.Benchmarks.Throughput;

/// <summary>Hangfire's typed job: <c>BackgroundJob.Enqueue&lt;T&gt;(x =&gt; x.Run())</c>, activated for each run.</summary>
public sealed class HangfireTypedNoOp
{
    public void Run()
    {
    }
}
