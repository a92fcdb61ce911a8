using Backgrounder.Benchmarks.Configs;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Output;

/// <summary>
/// Measure 2 with no follower, per line: <see cref="JobContext.WriteLine"/> and <c>Console.WriteLine</c> inside a
/// job (through <see cref="JobConsoleRouter"/> and <see cref="OutputCapture"/>), against a ring behind a lock.
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class OutputWriteBenchmarks
{
    private const int LinesPerInvoke = 1000;

    private readonly LockedLineRing _ring = new(new BackgrounderOptions().MaxOutputLines);
    private JobContext _context = null!;
    private OutputCapture _capture = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var output = new JobOutput(new BackgrounderOptions().MaxOutputLines);
        var job = new Job(JobId.New(), (_, _) => Task.CompletedTask, output, DateTimeOffset.UtcNow);
        _context = new JobContext(job);

        // As a worker does for each job: Console.Out now routes this flow's lines into the job's output.
        _capture = OutputCapture.Begin(output, job.Id);
    }

    [GlobalCleanup]
    public void CleanUp() => _capture.Dispose();

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
