using System.Diagnostics;
using System.Globalization;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Redis;
using Backgrounder.Benchmarks.Throughput;
using Company.WebApplication1.Background;
using Hangfire;
using Hangfire.InMemory;

namespace Backgrounder.Benchmarks.Later;

/// <summary>
/// Measure 8, later: 10,000 jobs due at the same instant, from that instant to the last one finished, against Quartz
/// (in-memory store, triggers at that instant) and Hangfire (delayed jobs, InMemory) in the same run; and how late a
/// job scheduled 1 s ahead starts, p50 and p99, on one node, on two Redis nodes, and for Quartz.
/// </summary>
public static class LaterMeasure
{
    private const int BurstJobs = 10_000;
    private const int Rounds = 5;
    private const int DelaySamples = 100;

    // Long enough for 10,000 schedules to be recorded before any is due, on every side (Hangfire's client takes the
    // longest); a side that took longer is timed from when its last schedule was recorded.
    private static readonly TimeSpan s_burstLead = TimeSpan.FromSeconds(4);

    public static async Task RunAsync()
    {
        var ours = new List<double>();
        var quartz = new List<double>();
        var hangfire = new List<double>();
        for (var round = 0; round <= Rounds; round++)
        {
            // Round 0 warms each side up (JIT, thread pool) and is not counted.
            var (o, q, h) = (await OursBurstAsync(), await QuartzBurstAsync(), await HangfireBurstAsync());
            Console.WriteLine($"round {round}: ours {o:F0} ms, Quartz {q:F0} ms, Hangfire {h:F0} ms");
            if (round > 0)
            {
                (ours, quartz, hangfire) = ([.. ours, o], [.. quartz, q], [.. hangfire, h]);
            }
        }

        var (om, qm, hm) = (Median(ours), Median(quartz), Median(hangfire));
        Console.WriteLine();
        Console.WriteLine($"| 8 | {BurstJobs:N0} jobs due at one instant → all finished (median of {Rounds}) | {om:F0} ms ({BurstJobs / om * 1000:N0} jobs/s) | {qm:F0} ms (Quartz) | **{om / qm:F3}** ({qm / om:F1} times faster) |");
        Console.WriteLine($"| 8 | same, against Hangfire (delayed jobs, InMemory, SchedulePollingInterval 100 ms) | {om:F0} ms | {hm:F0} ms | **{om / hm:F3}** |");

        var oneNode = await OneNodeDelayAsync();
        var twoNodes = await TwoRedisNodesDelayAsync();
        var anchor = await QuartzDelayAsync();
        Console.WriteLine($"| 8 | lateness of a job scheduled 1 s ahead, one node (memory), p50 / p99 / max ({DelaySamples} jobs) | {Describe(oneNode)} | {Describe(anchor)} (Quartz) | **{Percentile(oneNode, 0.99) / Percentile(anchor, 0.99):F2}** (p99) |");
        Console.WriteLine($"| 8 | same, two Redis nodes, scheduled on A | {Describe(twoNodes.Lateness)} ({twoNodes.Spread}) | {Describe(anchor)} (Quartz) | **{Percentile(twoNodes.Lateness, 0.99) / Percentile(anchor, 0.99):F2}** (p99) |");
    }

    private static async Task<double> OursBurstAsync()
    {
        using var host = BackgrounderHost.Build(Settings());
        await host.StartAsync();
        using var completions = new JobCompletions(host.Services);
        var jobs = host.Services.GetRequiredService<BackgroundJobs>();
        var runAt = DueInstant();
        var allDone = completions.WhenCount(BurstJobs);
        for (var i = 0; i < BurstJobs; i++)
        {
            await jobs.ScheduleAsync<TypedNoOpJob>(runAt);
        }

        var scheduled = DateTimeOffset.UtcNow;
        await allDone;
        var elapsed = Since(runAt, scheduled);
        await host.StopAsync();
        return elapsed;
    }

    private static async Task<double> QuartzBurstAsync()
    {
        using var quartz = new QuartzLater();
        var runAt = DueInstant();
        var allDone = quartz.Expect(BurstJobs);
        await quartz.ScheduleAsync(BurstJobs, runAt);
        var scheduled = DateTimeOffset.UtcNow;
        await allDone;
        return Since(runAt, scheduled);
    }

    private static async Task<double> HangfireBurstAsync()
    {
        HangfireCompletion.Install();
        using var storage = new InMemoryStorage();
        using var server = new BackgroundJobServer(
            new BackgroundJobServerOptions { WorkerCount = BenchSettings.Workers, SchedulePollingInterval = TimeSpan.FromMilliseconds(100) }, storage);
        var client = new BackgroundJobClient(storage);
        var runAt = DueInstant();
        var allDone = HangfireCompletion.Expect(BurstJobs);
        for (var i = 0; i < BurstJobs; i++)
        {
            client.Schedule<HangfireTypedNoOp>(job => job.Run(), runAt);
        }

        var scheduled = DateTimeOffset.UtcNow;
        await allDone;
        return Since(runAt, scheduled);
    }

    private static async Task<List<double>> OneNodeDelayAsync()
    {
        using var host = BackgrounderHost.Build(Settings());
        await host.StartAsync();
        var lateness = await DelaysAsync(host.Services.GetRequiredService<BackgroundJobs>());
        await host.StopAsync();
        return [.. lateness.Select(sample => sample.LateMs)];
    }

    private static async Task<(List<double> Lateness, string Spread)> TwoRedisNodesDelayAsync()
    {
        await using var redis = await LocalRedisServer.StartAsync();
        var prefix = $"bench-later-{Guid.NewGuid():N}:";
        await using var a = await BackgrounderRedisNode.StartAsync(redis.ConnectionString, prefix, "node-a", BurstJobs);
        await using var b = await BackgrounderRedisNode.StartAsync(redis.ConnectionString, prefix, "node-b", BurstJobs);
        var samples = await DelaysAsync(a.Jobs);
        var spread = string.Join(", ", samples.GroupBy(sample => sample.Node).OrderBy(group => group.Key).Select(group => $"{group.Key} ran {group.Count()}"));
        return ([.. samples.Select(sample => sample.LateMs)], spread);
    }

    /// <summary>One job 1 s ahead every 20 ms, so about fifty wait at once; then every one has run.</summary>
    private static async Task<List<(double LateMs, string Node)>> DelaysAsync(BackgroundJobs jobs)
    {
        DelayProbeJob.Samples.Clear();
        for (var i = 0; i < DelaySamples; i++)
        {
            var runAt = DateTimeOffset.UtcNow.AddSeconds(1);
            await jobs.ScheduleAsync<DelayProbeJob, DateTimeOffset>(runAt, runAt);
            await Task.Delay(20);
        }

        var giveUp = Stopwatch.StartNew();
        while (DelayProbeJob.Samples.Count < DelaySamples && giveUp.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        return [.. DelayProbeJob.Samples];
    }

    private static async Task<List<double>> QuartzDelayAsync()
    {
        using var quartz = new QuartzLater();
        var allDone = quartz.Expect(DelaySamples);
        for (var i = 0; i < DelaySamples; i++)
        {
            await quartz.ScheduleAsync(1, DateTimeOffset.UtcNow.AddSeconds(1));
            await Task.Delay(20);
        }

        await allDone;
        return [.. quartz.Lateness];
    }

    /// <summary>
    /// The burst's due time, on a whole second: Hangfire keeps a delayed job's time in whole seconds (and would run it
    /// up to a second early otherwise), Quartz and ours to the millisecond.
    /// </summary>
    private static DateTimeOffset DueInstant()
    {
        var due = DateTimeOffset.UtcNow + s_burstLead;
        return due.AddTicks(TimeSpan.TicksPerSecond - (due.UtcTicks % TimeSpan.TicksPerSecond));
    }

    /// <summary>From the due time (or, if scheduling ran past it, from the last schedule) to now, in ms.</summary>
    private static double Since(DateTimeOffset runAt, DateTimeOffset scheduled)
    {
        if (scheduled > runAt)
        {
            Console.WriteLine($"  (scheduling took {(scheduled - runAt + s_burstLead).TotalMilliseconds:F0} ms, past the lead)");
        }

        return (DateTimeOffset.UtcNow - (scheduled > runAt ? scheduled : runAt)).TotalMilliseconds;
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Backgrounder:MaxConcurrentJobs"] = BenchSettings.Workers.ToString(CultureInfo.InvariantCulture),
        ["Backgrounder:QueueCapacity"] = BurstJobs.ToString(CultureInfo.InvariantCulture),
        ["Backgrounder:MaxScheduledJobs"] = (2 * BurstJobs).ToString(CultureInfo.InvariantCulture),
        ["Backgrounder:MaxRetainedJobs"] = int.MaxValue.ToString(CultureInfo.InvariantCulture),
    };

    private static string Describe(List<double> lateness) =>
        $"{Percentile(lateness, 0.5):F1} / {Percentile(lateness, 0.99):F1} / {lateness.Max():F1} ms";

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);
}
