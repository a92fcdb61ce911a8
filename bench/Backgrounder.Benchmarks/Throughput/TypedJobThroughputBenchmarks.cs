using Backgrounder.Benchmarks.Configs;
using BenchmarkDotNet.Attributes;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// Measure 1, typed: start → complete of <see cref="JobThroughputBenchmarks.JobsPerRun"/> no-op job classes, each
/// activated for its run: ours (<c>StartAsync&lt;TypedNoOpJob&gt;()</c>, a DI scope per run) against our delegate job
/// (the baseline), Hangfire's typed job on its in-memory storage and Quartz.NET with its in-memory store, all with
/// as many workers. Times are per job.
/// </summary>
[Config(typeof(MacroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class TypedJobThroughputBenchmarks
{
    private const int JobsPerRun = JobThroughputBenchmarks.JobsPerRun;

    private BackgrounderPipeline? _backgrounder;
    private HangfirePool? _hangfire;
    private QuartzPool? _quartz;

    [IterationSetup(Targets = [nameof(Delegate), nameof(Typed)])]
    public void StartBackgrounder() => _backgrounder = BackgrounderPipeline.Start(JobsPerRun);

    [IterationSetup(Target = nameof(HangfireTyped))]
    public void StartHangfire() => _hangfire = new HangfirePool(BenchSettings.Workers);

    [IterationSetup(Target = nameof(Quartz))]
    public void StartQuartz() => _quartz = new QuartzPool(BenchSettings.Workers);

    [IterationCleanup]
    public void Stop()
    {
        _backgrounder?.Dispose();
        _hangfire?.Dispose();
        _quartz?.Dispose();
        (_backgrounder, _hangfire, _quartz) = (null, null, null);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = JobsPerRun, Description = "BackgroundJobs.StartAsync(work)")]
    public Task Delegate() => _backgrounder!.RunAsync(JobsPerRun, NoOpJob.RunAsync);

    [Benchmark(OperationsPerInvoke = JobsPerRun, Description = "BackgroundJobs.StartAsync<TypedNoOpJob>()")]
    public Task Typed() => _backgrounder!.RunTypedAsync<TypedNoOpJob>(JobsPerRun);

    [Benchmark(OperationsPerInvoke = JobsPerRun, Description = "Hangfire.InMemory Enqueue<T>")]
    public Task HangfireTyped() => _hangfire!.RunTypedAsync(JobsPerRun);

    [Benchmark(OperationsPerInvoke = JobsPerRun, Description = "Quartz in-memory IJob")]
    public Task Quartz() => _quartz!.RunAsync(JobsPerRun);
}
