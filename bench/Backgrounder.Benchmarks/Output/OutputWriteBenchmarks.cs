using Backgrounder.Benchmarks.Configs;
using Backgrounder.Benchmarks.Hosting;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;
using Microsoft.Extensions.Options;

namespace Backgrounder.Benchmarks.Output;

/// <summary>
/// Measure 2 with no follower, per line: <see cref="JobContext.WriteLine"/> and <c>Console.WriteLine</c> inside a
/// running job (through <see cref="ConsoleRouter"/> and <see cref="OutputCapture"/>), each line on its way through the
/// job's <see cref="JobOutput"/> into the app's in-memory store, against a ring behind a lock.
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class OutputWriteBenchmarks
{
    private const int LinesPerInvoke = 1000;

    // The app's own registrations (AddBackgrounder), not started: the store and options are what a worker would use.
    private readonly IHost _host = BackgrounderHost.Build([]);
    private readonly LockedLineRing _ring = new(new BackgrounderOptions().MaxOutputLines);
    private JobContext _context = null!;
    private OutputCapture _capture = null!;

    // Synchronous on purpose: the capture is an AsyncLocal, which an async setup would restore on its way out.
    [GlobalSetup]
    public void SetUp()
    {
        var store = _host.Services.GetRequiredService<IJobStore>();
        var options = _host.Services.GetRequiredService<IOptions<BackgrounderOptions>>().Value;
        var id = StoredJob.AddRunningAsync(store).GetAwaiter().GetResult();

        // What BackgroundJobs.StartAsync and a worker set up for each job: its output, attached to it, and its context.
        var output = new JobOutput(store, options, TimeProvider.System);
        output.Attach(id);
        _context = new JobContext(new JobRun(id, "bench", (_, _) => Task.CompletedTask, output, traceParent: null), _host.Services);

        // As a worker does for each job: Console.Out now routes this flow's lines into the job's output.
        _capture = OutputCapture.ForJob(output);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _capture.Dispose();
        _host.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = LinesPerInvoke, Description = "ring behind a lock")]
    public void Ring()
    {
        var lines = SampleLines.Ten;
        for (var i = 0; i < LinesPerInvoke; i++)
        {
            _ring.WriteLine(lines[i % lines.Length]);
        }
    }

    [Benchmark(OperationsPerInvoke = LinesPerInvoke, Description = "JobContext.WriteLine")]
    public void Context()
    {
        var lines = SampleLines.Ten;
        for (var i = 0; i < LinesPerInvoke; i++)
        {
            _context.WriteLine(lines[i % lines.Length]);
        }
    }

    [Benchmark(OperationsPerInvoke = LinesPerInvoke, Description = "Console.WriteLine in a job")]
    public void Console()
    {
        var lines = SampleLines.Ten;
        for (var i = 0; i < LinesPerInvoke; i++)
        {
            System.Console.WriteLine(lines[i % lines.Length]);
        }
    }
}
