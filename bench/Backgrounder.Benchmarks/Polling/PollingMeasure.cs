using System.Runtime.CompilerServices;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Http;
using Backgrounder.Benchmarks.Reporting;
using Backgrounder.Benchmarks.Throughput;
using Company.WebApplication1.Background;
using Company.WebApplication1.Endpoints;

namespace Backgrounder.Benchmarks.Polling;

/// <summary>
/// Measure 4: requests/s of <c>GET /?_t=&lt;id&gt;</c> (the app's own <c>MapIndex</c> and <c>WithBackgrounder</c>) for a
/// finished 10-line job, against a bare <c>MapGet</c> that returns the same bytes from the same process.
/// Rounds alternate between the two so drift hits both; the median round counts.
/// </summary>
public static class PollingMeasure
{
    private const string BarePath = "/bare";

    public static async Task RunAsync(string[] args)
    {
        var seconds = args is [var text, ..] && int.TryParse(text, out var parsed) ? parsed : 5;
        var duration = TimeSpan.FromSeconds(seconds);
        const int Connections = 16;
        const int Rounds = 3;

        var bareBody = new StrongBox<byte[]>([]);
        await using var app = await BenchWebApp.StartAsync([], app =>
        {
            app.MapIndex();
            app.MapGet(BarePath, () => Results.Bytes(bareBody.Value!, "text/plain; charset=utf-8"));
        });

        var job = await app.Services.RunToEndAsync(TenLineJob.RunAsync);
        var ours = new Uri(app.BaseAddress(), $"/?{BackgrounderFilter.JobIdParameter}={job.Id}");
        var bare = new Uri(app.BaseAddress(), BarePath);
        bareBody.Value = await SameBytesAsync(ours, bare, bareBody);

        Console.WriteLine($"Polling {ours} against {bare} with {LoadGenerator.Name}, {Connections} connections, {Rounds} rounds of {seconds} s each.");
        await LoadGenerator.RequestsPerSecondAsync(ours, TimeSpan.FromSeconds(2), Connections);
        await LoadGenerator.RequestsPerSecondAsync(bare, TimeSpan.FromSeconds(2), Connections);

        var oursRates = new List<double>();
        var bareRates = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            // Alternate which goes first, so a trend over the run (heat, GC growth) does not favour one side.
            var order = round % 2 == 0 ? new[] { (ours, oursRates), (bare, bareRates) } : [(bare, bareRates), (ours, oursRates)];
            foreach (var (url, rates) in order)
            {
                var rate = await LoadGenerator.RequestsPerSecondAsync(url, duration, Connections);
                rates.Add(rate);
                Console.WriteLine($"  round {round + 1}: {url.PathAndQuery} {rate:#,0} req/s");
            }
        }

        var table = new RatioTable("Status polling (requests/s, higher is better)");
        table.Add("GET /?_t=<id>, finished 10-line job", Median(oursRates), Median(bareRates), "req/s", "bare MapGet, same bytes");
        table.Print();
    }

    private static async Task<byte[]> SameBytesAsync(Uri ours, Uri bare, StrongBox<byte[]> bareBody)
    {
        using var client = new HttpClient();
        var expected = await client.GetByteArrayAsync(ours);
        bareBody.Value = expected;
        var actual = await client.GetByteArrayAsync(bare);
        return expected.AsSpan().SequenceEqual(actual)
            ? expected
            : throw new InvalidOperationException("The bare endpoint does not return the same bytes as the job's output.");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
