using Backgrounder.Benchmarks.Configs;
using Backgrounder.Benchmarks.Hosting;
using BenchmarkDotNet.Attributes;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Http.Features;

namespace Backgrounder.Benchmarks.Polling;

/// <summary>
/// Measure 4 without the network: time and bytes allocated to answer one <c>GET /?_t=&lt;id&gt;</c> inside
/// <see cref="BackgrounderFilter"/> (query, id, store, <see cref="JobOutputTextResult"/>), against returning the
/// same bytes ready-made, as the bare endpoint does. Each call gets a fresh <see cref="DefaultHttpContext"/>, as a request
/// would, whose body discards what it is given (<see cref="DiscardingResponseBody"/>).
/// </summary>
[Config(typeof(MicroBenchmarkConfig))]
// Not sealed: BenchmarkDotNet derives its runner from this class.
public class PollPathBenchmarks
{
    private const string ContentType = "text/plain; charset=utf-8";

    // The app's own registrations (AddBackgrounder), not started: the filter and results resolve what they need from it.
    private readonly IHost _host = BackgrounderHost.Build([]);
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
        var store = _host.Services.GetRequiredService<IJobStore>();
        var output = new JobOutput(new BackgrounderOptions().MaxOutputLines);
        for (var i = 0; i < Lines; i++)
        {
            output.WriteLine(SampleLines.Make(i % 10, i));
        }

        var job = new Job(JobId.New(), NoWork, output, DateTimeOffset.UtcNow);
        job.TryStart(DateTimeOffset.UtcNow);
        job.TryFinish(JobState.Succeeded, DateTimeOffset.UtcNow);
        store.Add(job);

        _filter = ActivatorUtilities.CreateInstance<BackgrounderFilter>(_host.Services);
        _query = $"?{BackgrounderFilter.JobIdParameter}={job.Id}";

        var capture = NewContext();
        var written = new MemoryStream();
        capture.Response.Body = written;
        await Ours(capture);
        _body = written.ToArray();
    }

    [Benchmark(Baseline = true, Description = "same bytes, ready-made")]
    public Task Bare()
    {
        var context = NewContext();
        return Results.Bytes(_body, ContentType).ExecuteAsync(context);
    }

    [Benchmark(Description = "BackgrounderFilter + JobOutputTextResult")]
    public Task Poll() => Ours(NewContext());

    private static Task NoWork(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;

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
