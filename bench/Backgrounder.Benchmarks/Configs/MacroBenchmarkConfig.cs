using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Backgrounder.Benchmarks.Configs;

/// <summary>
/// For runs of 100k jobs: one invocation per iteration and few iterations, so measure 1 takes about a quarter of an
/// hour on two cores (most of it Hangfire's 12-second iterations). Server GC, as in the app the template generates.
/// </summary>
/// <remarks>
/// Three processes per benchmark, not one: a process's iterations move together, and processes of the same code
/// started a minute apart differ by up to 20 % (docs/benchmarks.md, measure 1).
/// </remarks>
public sealed class MacroBenchmarkConfig : ManualConfig
{
    public MacroBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(3)
            // Five, not one: after one 100k-job iteration a process of ours is still tiering up its code and sizing its
            // GC, and its next iterations keep getting faster (docs/benchmarks.md, "Measure 1: the GC policy (DATAS)
            // and process age").
            .WithWarmupCount(5)
            .WithIterationCount(5)
            .WithGcServer(true)
            .WithId("Macro"));
        AddDiagnoser(MemoryDiagnoser.Default);
        HideColumns("Error", "RatioSD", "Alloc Ratio");
    }
}
