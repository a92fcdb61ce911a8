using Backgrounder.Benchmarks.Configs;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Polling;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>
/// Measure 2's cost per event sent: <c>GET /jobs/{id}/events</c> (<see cref="JobEndpoints.FollowAsync"/> and the
/// framework's server-sent events result it returns) sending a finished job's lines from the store, as to a follower
/// catching up, against writing the same <c>line</c> events straight into the response pipe (<see cref="SseLineEvent"/>).
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class EventStreamBenchmarks
{
    // The app's own registrations (AddBackgrounder), not started, with a byte limit that keeps all 10,000 lines:
    // the default (256 KiB) would keep 9,039 of these, and the measure is a catch-up of MaxOutputLines lines.
    private readonly IHost _host = BackgrounderHost.Build(new() { ["Backgrounder:MaxOutputBytes"] = (1024 * 1024).ToString() });
    private readonly DiscardingResponseBody _discard = new();
    private string _id = "";
    private string[] _lines = [];

    /// <summary>10: the seed's job; 10,000: a job at the default <c>MaxOutputLines</c>.</summary>
    [Params(10, 10_000)]
    public int Lines { get; set; }

    [GlobalCleanup]
    public void CleanUp() => _host.Dispose();

    [GlobalSetup]
    public async Task SetUp()
    {
        _lines = [.. Enumerable.Range(0, Lines).Select(i => SampleLines.Make(i % 10, i))];
        var id = await StoredJob.AddFinishedAsync(_host.Services.GetRequiredService<IJobStore>(), _lines);
        _id = id.ToString();
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

    [Benchmark(Description = "JobEndpoints.FollowAsync")]
    public async Task Ours()
    {
        var context = NewContext();
        var services = _host.Services;
        var result = await JobEndpoints.FollowAsync(
            _id,
            lastEventId: null,
            lastEventIdHeader: null,
            context,
            services.GetRequiredService<JobAccess>(),
            services.GetRequiredService<IJobStore>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<IOptions<BackgrounderOptions>>(),
            services.GetRequiredService<IOptions<JsonOptions>>(),
            services.GetRequiredService<IHostApplicationLifetime>());
        await result.ExecuteAsync(context);
    }

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Features.Set<IHttpResponseBodyFeature>(_discard);
        return context;
    }
}
