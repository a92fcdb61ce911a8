using Backgrounder.Benchmarks.Configs;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// Measure 1: start → complete of <see cref="JobsPerRun"/> jobs (no-op, or ten output lines) through the template's
/// <see cref="BackgroundJobs"/>, against a raw bounded channel read by as many workers (the practical limit)
/// and Hangfire with in-memory storage (what users would pick instead). Times are per job.
/// </summary>
[Config(typeof(MacroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class JobThroughputBenchmarks
{
    public const int JobsPerRun = 100_000;

    private BackgrounderPipeline? _backgrounder;
    private RawChannelPool? _raw;
    private HangfirePool? _hangfire;

    /// <summary>0: no-op jobs; 10: each job writes ten lines of output.</summary>
    [Params(0, 10)]
    public int LinesPerJob { get; set; }

    [IterationSetup(Target = nameof(RawChannel))]
    public void StartRawChannel() => _raw = new RawChannelPool(BenchSettings.Workers, JobsPerRun);

    [IterationSetup(Target = nameof(Backgrounder))]
    public void StartBackgrounder() => _backgrounder = BackgrounderPipeline.Start(JobsPerRun);

    [IterationSetup(Target = nameof(Hangfire))]
    public void StartHangfire() => _hangfire = new HangfirePool(BenchSettings.Workers);

    [IterationCleanup]
    public void Stop()
    {
        _raw?.Dispose();
        _backgrounder?.Dispose();
        _hangfire?.Dispose();
        (_raw, _backgrounder, _hangfire) = (null, null, null);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = JobsPerRun, Description = "raw Channel<Func<Task>>")]
    public Task RawChannel() => _raw!.RunAsync(JobsPerRun, LinesPerJob);

    [Benchmark(OperationsPerInvoke = JobsPerRun, Description = "BackgroundJobs.StartAsync")]
    public Task Backgrounder() => _backgrounder!.RunAsync(JobsPerRun, LinesPerJob == 0 ? NoOpJob.RunAsync : TenLineJob.RunAsync);

    [Benchmark(OperationsPerInvoke = JobsPerRun, Description = "Hangfire.InMemory")]
    public Task Hangfire() => _hangfire!.RunAsync(JobsPerRun, LinesPerJob);
}
