using System.Diagnostics;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Reporting;
using Backgrounder.Benchmarks.Sse;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Latency;

/// <summary>
/// Measure 3: from a job's <c>WriteLine</c> to an SSE client over loopback HTTP seeing the line's <c>id:</c>, over
/// <see cref="Lines"/> lines, each written once the previous one has arrived (so none waits behind a backlog). Ours is
/// <c>GET /jobs/{id}/events</c> of the app's own <c>MapJobEndpoints</c>; the baseline is <see cref="BareLineStream"/>
/// in the same process, followed by the same client.
/// </summary>
public static class LatencyMeasure
{
    public const int Lines = 10_000;

    /// <summary>Rounds alternate ours and the baseline; each percentile is the median of its rounds.</summary>
    public const int Rounds = 3;

    private const string BarePath = "/bare-events";

    public static async Task RunAsync()
    {
        var bare = new BareLineStream();
        await using var app = await BenchWebApp.StartAsync([], app =>
        {
            app.MapJobEndpoints();
            app.MapGet(BarePath, bare.StreamAsync);
        });
        using var client = new HttpClient();

        var ours = new List<double[]>();
        var baseline = new List<double[]>();
        for (var round = 0; round < Rounds; round++)
        {
            // Alternate which goes first, so a trend over the run does not favour one side.
            if (round % 2 == 0)
            {
                ours.Add(await OursAsync(app, client));
                baseline.Add(await BareAsync(app, client, bare));
            }
            else
            {
                baseline.Add(await BareAsync(app, client, bare));
                ours.Add(await OursAsync(app, client));
            }
        }

        var table = new RatioTable($"Live latency, line written → SSE client over loopback ({Lines:#,0} lines × {Rounds} rounds, µs, lower is better)");
        foreach (var (name, fraction) in new[] { ("p50", 0.50), ("p99", 0.99), ("max", 1.0) })
        {
            table.Add($"{name}, GET /jobs/{{id}}/events", MedianOfRounds(ours, fraction), MedianOfRounds(baseline, fraction),
                "µs", "bare SSE endpoint fed by a Channel<string>");
        }

        table.Print();
        Console.WriteLine("For comparison, a client polling every 1 s (Hangfire.Console's dashboard, or the seed's F5) sees a line");
        Console.WriteLine("after 500,000 µs at the median and up to 1,000,000 µs, plus the poll's own time.");
    }

    /// <summary>The median over rounds of one percentile (<paramref name="fraction"/> 0.5 is p50, 1.0 the max).</summary>
    public static double MedianOfRounds(List<double[]> rounds, double fraction) =>
        rounds.Select(delays => LatencySample.Percentile(delays, fraction)).Order().ElementAt(rounds.Count / 2);

    private static Task<double[]> OursAsync(WebApplication app, HttpClient client) =>
        FollowJobAsync(app.Services.GetRequiredService<BackgroundJobs>(), app.BaseAddress(), client, Lines, TimeSpan.Zero);

    /// <summary>
    /// Starts a job through <paramref name="jobs"/> that writes <paramref name="lines"/> lines one by one, follows it at
    /// <c>GET /jobs/{id}/events</c> of the app at <paramref name="follower"/> (the same node, or another on a shared
    /// store), and returns each line's delay in microseconds, sorted. A <paramref name="gap"/> after each arrival lets
    /// the follower settle into waiting before the next line, as it would between the lines of a real job.
    /// </summary>
    public static async Task<double[]> FollowJobAsync(BackgroundJobs jobs, Uri follower, HttpClient client, int lines, TimeSpan gap)
    {
        var sample = new LatencySample(lines);
        var followed = new Gate();
        var id = await jobs.StartAsync(async (context, _) =>
        {
            await followed.Opened;
            await WriteOneByOneAsync(sample, context.WriteLine, gap);
        });

        var sse = new SseFollower(client, new Uri(follower, JobEndpoints.EventsPath(id)), sample.OnArrived);
        var following = sse.FollowAsync();
        await sse.Connected;
        followed.Open();
        await following;
        return sample.SortedMicroseconds();
    }

    private static async Task<double[]> BareAsync(WebApplication app, HttpClient client, BareLineStream bare)
    {
        var sample = new LatencySample(Lines);
        var sse = new SseFollower(client, new Uri(app.BaseAddress(), BarePath), sample.OnArrived);
        var following = sse.FollowAsync();
        await sse.Connected;
        await Task.Run(() => WriteOneByOneAsync(sample, bare.WriteLine, TimeSpan.Zero));
        bare.Complete();
        await following;
        return sample.SortedMicroseconds();
    }

    private static async Task WriteOneByOneAsync(LatencySample sample, Action<string> writeLine, TimeSpan gap)
    {
        for (var i = 0; i < sample.WrittenAt.Length; i++)
        {
            sample.WrittenAt[i] = Stopwatch.GetTimestamp();
            writeLine(SampleLines.Ten[i % SampleLines.Ten.Length]);
            await sample.WaitForArrivalAsync();
            if (gap > TimeSpan.Zero)
            {
                await Task.Delay(gap);
            }
        }
    }
}
