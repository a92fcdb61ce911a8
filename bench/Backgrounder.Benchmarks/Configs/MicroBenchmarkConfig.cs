using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Backgrounder.Benchmarks.Configs;

/// <summary>For operations of microseconds: BenchmarkDotNet's short run (3 warm-ups, 3 iterations). Server GC, as in the app.</summary>
public sealed class MicroBenchmarkConfig : ManualConfig
{
    public MicroBenchmarkConfig()
    {
        AddJob(Job.ShortRun.WithGcServer(true).WithId("Micro"));
        AddDiagnoser(MemoryDiagnoser.Default);
        HideColumns("Error", "RatioSD", "Alloc Ratio");
    }
}
