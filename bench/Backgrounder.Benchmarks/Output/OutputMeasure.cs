using System.Diagnostics;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Reporting;
using Backgrounder.Benchmarks.Sse;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Output;

/// <summary>
/// Measure 2: lines/s one job writes (as fast as it can) while 0, 1 and 10 SSE clients follow
/// <c>GET /jobs/{id}/events</c> over loopback, against appending the same lines to a <see cref="LockedLineRing"/>;
/// and bytes allocated in the whole process (writer, server side of the streams, clients) until every follower has
/// seen the stream end, per line written and per line event sent. The median of <see cref="Rounds"/> rounds counts.
/// </summary>
public static class OutputMeasure
{
    public const int LinesPerRun = 5_000_000;
    public const int Rounds = 5;

    private static readonly int[] FollowerCounts = [0, 1, 10];

    public static async Task RunAsync()
    {
        await using var app = await BenchWebApp.StartAsync([], app => app.MapJobEndpoints());
        var store = app.Services.GetRequiredService<IJobStore>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 });

        // One unmeasured round of each, for the JIT and the thread pool.
        Baseline();
        foreach (var followers in FollowerCounts)
        {
            await OursAsync(app, store, client, followers);
        }

        var baseline = Median(Enumerable.Range(0, Rounds).Select(_ => Baseline()).ToList());
        var table = new RatioTable($"Output of one job ({LinesPerRun:#,0} lines per round, median of {Rounds})");
        var allocations = new List<string>
        {
            $"Bytes allocated per line written, baseline: {baseline.BytesPerLine:0.00} B.",
        };
        foreach (var followers in FollowerCounts)
        {
            var rounds = new List<OutputRun>();
            for (var round = 0; round < Rounds; round++)
            {
                rounds.Add(await OursAsync(app, store, client, followers));
            }

            var ours = Median(rounds);
            table.Add($"lines/s written, {followers} SSE followers (higher is better)", ours.LinesPerSecond, baseline.LinesPerSecond,
                "lines/s", "ring of MaxOutputLines lines behind a lock");

            // The baseline allocates nothing, so these are stated, not divided by it.
            var perEvent = followers == 0 ? "" :
                $"; each follower received {ours.LinesPerFollower:#,0} line events of {LinesPerRun:#,0} (the rest were announced as dropped), " +
                $"{ours.BytesPerLine * LinesPerRun / (ours.LinesPerFollower * followers):#,0} B allocated per line event sent";
            allocations.Add($"{followers} SSE followers: {ours.BytesPerLine:0.00} B allocated per line written{perEvent}.");
        }

        table.Print();
        allocations.ForEach(Console.WriteLine);
    }

    private static OutputRun Baseline()
    {
        var lines = new LockedLineRing(new BackgrounderOptions().MaxOutputLines);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        WriteLines(lines.WriteLine);
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new OutputRun(LinesPerRun / elapsed.TotalSeconds, allocated / (double)LinesPerRun, 0);
    }

    private static async Task<OutputRun> OursAsync(WebApplication app, IJobStore store, HttpClient client, int followerCount)
    {
        var gate = new Gate();
        var writing = TimeSpan.Zero;
        var id = await app.Services.GetRequiredService<BackgroundJobs>().StartAsync(async (context, _) =>
        {
            await gate.Opened;
            var clock = Stopwatch.StartNew();
            WriteLines(context.WriteLine);
            writing = clock.Elapsed;
        });

        var url = new Uri(app.BaseAddress(), JobEndpoints.EventsPath(id));
        var followers = Enumerable.Range(0, followerCount).Select(_ => new SseFollower(client, url)).ToList();
        var following = followers.Select(follower => follower.FollowAsync()).ToList();
        await Task.WhenAll(followers.Select(follower => follower.Connected));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        gate.Open();
        await store.WaitUntilFinishedAsync(id);
        await Task.WhenAll(following);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var perFollower = followers.Count == 0 ? 0 : followers.Average(follower => follower.IdsReceived);
        return new OutputRun(LinesPerRun / writing.TotalSeconds, allocated / (double)LinesPerRun, perFollower);
    }

    private static void WriteLines(Action<string> writeLine)
    {
        var lines = SampleLines.Ten;
        for (var i = 0; i < LinesPerRun; i++)
        {
            writeLine(lines[i % lines.Length]);
        }
    }

    private static OutputRun Median(List<OutputRun> runs) => runs.OrderBy(run => run.LinesPerSecond).ElementAt(runs.Count / 2);
}
