using Backgrounder.Benchmarks.Configs;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Polling;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Http.Features;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>
/// Measure 2's cost per event sent: <see cref="JobEventStream"/> sending a finished job's lines (one batch, as to
/// a follower catching up), against writing the same <c>line</c> events straight into the response pipe
/// (<see cref="SseLineEvent"/>). Time and allocations are per line.
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class EventStreamBenchmarks
{
    // The app's own registrations (AddBackgrounder), not started: the stream resolves its clock and lifetime from it.
    private readonly IHost _host = BackgrounderHost.Build([]);
    private readonly DiscardingResponseBody _discard = new();
    private Job _job = null!;
    private string[] _lines = [];

    /// <summary>10: the seed's job; 10,000: a job at the default <c>MaxOutputLines</c>.</summary>
    [Params(10, 10_000)]
    public int Lines { get; set; }

    [GlobalCleanup]
    public void CleanUp() => _host.Dispose();

    [GlobalSetup]
    public void SetUp()
    {
        _lines = [.. Enumerable.Range(0, Lines).Select(i => SampleLines.Make(i % 10, i))];
        var output = new JobOutput(new BackgrounderOptions().MaxOutputLines);
        foreach (var line in _lines)
        {
            output.WriteLine(line);
        }

        _job = new Job(JobId.New(), (_, _) => Task.CompletedTask, output, DateTimeOffset.UtcNow);
        _job.TryStart(DateTimeOffset.UtcNow);
        _job.TryFinish(JobState.Succeeded, DateTimeOffset.UtcNow);
    }

    [Benchmark(Baseline = true, Description = "line events written to the pipe")]
    public async Task Bare()
    {
        var context = NewContext();
        context.Response.ContentType = "text/event-stream";
        var pipe = context.Response.BodyWriter;
        for (var i = 0; i < _lines.Length; i++)
        {
            SseLineEvent.Write(pipe, i, _lines[i]);
        }

        await pipe.FlushAsync();
    }

    [Benchmark(Description = "JobEventStream")]
    public Task Ours() => new JobEventStream(_job, 0).ExecuteAsync(NewContext());

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Features.Set<IHttpResponseBodyFeature>(_discard);
        return context;
    }
}
