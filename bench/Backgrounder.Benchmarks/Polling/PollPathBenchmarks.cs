using Backgrounder.Benchmarks.Configs;
using Backgrounder.Benchmarks.Hosting;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Http.Features;

namespace Backgrounder.Benchmarks.Polling;

/// <summary>
/// Measure 4 without the network: time and bytes allocated to answer one <c>GET /?_t=&lt;id&gt;</c> inside
/// <see cref="BackgrounderFilter"/> (query, id, access check, store, the text result), against returning the
/// same bytes ready-made, as the bare endpoint does. Each call gets a fresh <see cref="DefaultHttpContext"/>, as a request
/// would, whose body discards what it is given (<see cref="DiscardingResponseBody"/>).
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class PollPathBenchmarks
{
    private const string ContentType = "text/plain; charset=utf-8";

    // The app's own registrations (AddBackgrounder), not started, with a byte limit that keeps all 10,000 lines:
    // the default (256 KiB) would keep 9,039 of these, and the measure is a job at MaxOutputLines.
    private readonly IHost _host = BackgrounderHost.Build(new() { ["Backgrounder:MaxOutputBytes"] = (1024 * 1024).ToString() });
    private readonly DiscardingResponseBody _discard = new();
    private BackgrounderFilter _filter = null!;
    private string _query = "";
    private byte[] _body = [];

    /// <summary>10: the seed's job; 10,000: a job at the default <c>MaxOutputLines</c>.</summary>
    [Params(10, 10_000)]
    public int Lines { get; set; }

    [GlobalCleanup]
    public void CleanUp() => _host.Dispose();

    [GlobalSetup]
    public async Task SetUp()
    {
        var lines = Enumerable.Range(0, Lines).Select(i => SampleLines.Make(i % 10, i)).ToList();
        var id = await StoredJob.AddFinishedAsync(_host.Services.GetRequiredService<IJobStore>(), lines);

        _filter = ActivatorUtilities.CreateInstance<BackgrounderFilter>(_host.Services);
        _query = $"?{BackgrounderFilter.JobIdParameter}={id}";

        var capture = NewContext();
        var written = new MemoryStream();
        capture.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(written));
        await Ours(capture);
        _body = written.ToArray();
        if (_body.Length == 0)
        {
            throw new InvalidOperationException("The poll answered nothing.");
        }
    }

    [Benchmark(Baseline = true, Description = "same bytes, ready-made")]
    public Task Bare()
    {
        var context = NewContext();
        return Results.Bytes(_body, ContentType).ExecuteAsync(context);
    }

    [Benchmark(Description = "BackgrounderFilter, ?_t= as text")]
    public Task Poll() => Ours(NewContext());

    private async Task Ours(HttpContext context)
    {
        var result = await _filter.InvokeAsync(EndpointFilterInvocationContext.Create(context), _ => ValueTask.FromResult<object?>(null));
        await ((IResult)result!).ExecuteAsync(context);
    }

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Features.Set<IHttpResponseBodyFeature>(_discard);
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(_query);
        return context;
    }
}
