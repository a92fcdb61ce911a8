using Backgrounder.Benchmarks.Later;
using Backgrounder.Benchmarks.Latency;
using Backgrounder.Benchmarks.Memory;
using Backgrounder.Benchmarks.Output;
using Backgrounder.Benchmarks.Polling;
using Backgrounder.Benchmarks.Redis;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// `-- polling|output|latency|memory|redis|later` runs a measure BenchmarkDotNet is a poor fit for (HTTP load, heap after churn,
// wall-clock latency) and prints ours, the baseline and the ratio. Anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["polling", .. var rest]:
        await PollingMeasure.RunAsync(rest);
        break;
    case ["latency", ..]:
        await LatencyMeasure.RunAsync();
        break;
    case ["output", ..]:
        await OutputMeasure.RunAsync();
        break;
    case ["memory", ..]:
        await MemoryMeasure.RunAsync();
        break;
    case ["later", ..]:
        // Measure 8: delayed jobs, against Quartz and Hangfire; its Redis part starts its own redis-server.
        await LaterMeasure.RunAsync();
        break;
    case ["redis", .. var rest]:
        // Starts its own redis-server (apt-get install redis-server) on a free loopback port, and stops it at the end.
        await RedisMeasure.RunAsync(rest);
        break;
    default:
        // Results land in bench/Backgrounder.Benchmarks/BenchmarkDotNet.Artifacts wherever the run starts (git ignores them).
        var artifacts = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "BenchmarkDotNet.Artifacts"));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.WithArtifactsPath(artifacts));
        break;
}
