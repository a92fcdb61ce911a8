using System.Diagnostics;
using System.Globalization;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Latency;
using Backgrounder.Benchmarks.Reporting;
using Backgrounder.Benchmarks.Throughput;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Redis;

/// <summary>
/// Measure 7, the app scaled out on one local <c>redis-server</c> (<see cref="LocalRedisServer"/>), each against its
/// baseline in the same run: jobs of 10 lines created and completed per second by two nodes, against Hangfire with
/// Hangfire.Redis.StackExchange on the same server (goal: at least <see cref="RateGoal"/> times its rate); a line
/// written on node A → its event on node B, against one node with the memory store (goal: p99 at most
/// <see cref="P99Goal"/>); and Redis memory per finished 10-line job, against Hangfire's.
/// </summary>
public static class RedisMeasure
{
    public const int DefaultJobs = 10_000;
    public const int Rounds = 3;
    public const int LatencyLines = 4_000;
    public const double RateGoal = 5;

    private const int Nodes = 2;

    /// <summary>Loops that start jobs at once on each node, as that many concurrent requests would: the same for both sides.</summary>
    private const int Starters = 16;
    private const int WarmUpLines = 500;

    public static readonly TimeSpan P99Goal = TimeSpan.FromMilliseconds(25);

    /// <summary>Between a line's arrival and the next line: each line is its own event, and the follower is idle when it comes.</summary>
    private static readonly TimeSpan LineGap = TimeSpan.FromMilliseconds(1);

    /// <summary>After the last completion, for the writes that follow it (Hangfire removes a job from its fetched list after its state).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(string[] args)
    {
        var jobs = args is [var text, ..] && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultJobs;
        await using var redis = await LocalRedisServer.StartAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"redis-server {redis.Version} on {redis.ConnectionString} (persistence off), run {run}: " +
            $"{Nodes} nodes × {BenchSettings.Workers} workers, {Starters} starters per node, {jobs:#,0} jobs of 10 lines per round, {Rounds} rounds.");

        // Calls of 1 ms and more are logged from here on: the slowest one shows how long one call held Redis for everyone.
        await redis.WatchSlowCallsAsync(TimeSpan.FromMilliseconds(1));
        var (ours, hangfire) = await ThroughputAsync(redis, run, jobs);
        var slowest = await redis.SlowestCallAsync();
        var (acrossNodes, oneNode) = await LatencyAsync(redis, run);

        var rate = new RatioTable($"Redis, two nodes: jobs of 10 lines created and completed ({jobs:#,0} jobs, median of {Rounds} rounds)");
        const string HangfireName = "Hangfire 1.8.25 + Hangfire.Redis.StackExchange 1.12.0";
        rate.Add("jobs/s, first start → last completion (higher is better)", Median(ours, r => r.JobsPerSecond), Median(hangfire, r => r.JobsPerSecond), "jobs/s", HangfireName);
        rate.Add("Redis memory per finished job (INFO used_memory delta / jobs)", Median(ours, r => r.MemoryPerJob), Median(hangfire, r => r.MemoryPerJob), "B", HangfireName);
        rate.Add("commands sent to Redis per job (client side)", Median(ours, r => r.OperationsPerJob), Median(hangfire, r => r.OperationsPerJob), "commands", HangfireName);
        rate.Add("commands Redis executed per job (scripts' included)", Median(ours, r => r.CommandsPerJob), Median(hangfire, r => r.CommandsPerJob), "commands", HangfireName);
        rate.Add("Redis CPU per job (INFO used_cpu_user + used_cpu_sys)", Median(ours, r => r.CpuMicrosecondsPerJob), Median(hangfire, r => r.CpuMicrosecondsPerJob), "µs", HangfireName);
        rate.Add("CPU of the two nodes per job (this process)", Median(ours, r => r.ProcessCpuMicrosecondsPerJob), Median(hangfire, r => r.ProcessCpuMicrosecondsPerJob), "µs", HangfireName);
        rate.Print();
        Console.WriteLine($"Rounds, jobs/s: ours {Rounded(ours, r => r.JobsPerSecond)}; Hangfire {Rounded(hangfire, r => r.JobsPerSecond)}; " +
            $"ours/Hangfire {string.Join(" / ", ours.Zip(hangfire, (o, h) => (o.JobsPerSecond / h.JobsPerSecond).ToString("0.00", CultureInfo.InvariantCulture)))}.");
        Console.WriteLine($"Rounds, bytes per job: ours {Rounded(ours, r => r.MemoryPerJob)}; Hangfire {Rounded(hangfire, r => r.MemoryPerJob)}.");
        Console.WriteLine($"Commands Redis executed per job, last round: ours {ours[^1].Calls}; Hangfire {hangfire[^1].Calls}.");
        Console.WriteLine(slowest is { } call
            ? $"Slowest Redis call of the rounds (SLOWLOG, both sides): {call.Duration.TotalMilliseconds:0.###} ms, {call.Command}."
            : "Slowest Redis call of the rounds (SLOWLOG, both sides): none took 1 ms.");

        var latency = new RatioTable($"Line written on node A → SSE client on node B ({LatencyLines:#,0} lines × {Rounds} rounds, µs, lower is better)");
        foreach (var (name, fraction) in new[] { ("p50", 0.50), ("p99", 0.99), ("max", 1.0) })
        {
            latency.Add($"{name}, GET /jobs/{{id}}/events on B, job on A", LatencyMeasure.MedianOfRounds(acrossNodes, fraction),
                LatencyMeasure.MedianOfRounds(oneNode, fraction), "µs", "one node, memory store");
        }

        latency.Print();

        var rateRatio = Median(ours, r => r.JobsPerSecond) / Median(hangfire, r => r.JobsPerSecond);
        var p99 = TimeSpan.FromMicroseconds(LatencyMeasure.MedianOfRounds(acrossNodes, 0.99));
        Console.WriteLine($"Goal, jobs/s at least {RateGoal:0}× Hangfire's: {rateRatio:0.00}× — {(rateRatio >= RateGoal ? "met" : "NOT met")}.");
        Console.WriteLine($"Goal, p99 node A → node B at most {P99Goal.TotalMilliseconds:0} ms: {p99.TotalMilliseconds:0.00} ms — {(p99 <= P99Goal ? "met" : "NOT met")}.");
    }

    /// <summary>Two nodes of ours and two of Hangfire's, all up at once; rounds alternate which goes first.</summary>
    private static async Task<(List<RedisRun> Ours, List<RedisRun> Hangfire)> ThroughputAsync(LocalRedisServer redis, string run, int jobs)
    {
        var prefix = $"bench-{run}:";
        var nodes = new List<BackgrounderRedisNode>();
        try
        {
            for (var node = 0; node < Nodes; node++)
            {
                // The queue holds what the node is given at once, as Hangfire's queue in Redis does.
                nodes.Add(await BackgrounderRedisNode.StartAsync(redis.ConnectionString, prefix, $"node-{(char)('a' + node)}", jobs));
            }

            using var hangfire = new HangfireRedisNodes(redis.ConnectionString, $"{{hangfire-{run}}}:", Nodes, BenchSettings.Workers);

            // A whole round each, not counted, so the rounds measure steady state: the JIT's later tiers (dynamic PGO
            // recompiles hot code after thousands of calls), the thread pool's size, the connections, the scripts' cache.
            await OursAsync(redis, nodes, jobs);
            await HangfireAsync(redis, hangfire, jobs);

            var ours = new List<RedisRun>();
            var theirs = new List<RedisRun>();
            for (var round = 0; round < Rounds; round++)
            {
                // Alternate which goes first, so a trend over the run (other sessions' load, a fuller Redis) does not favour one side.
                if (round % 2 == 0)
                {
                    ours.Add(await OursAsync(redis, nodes, jobs));
                    theirs.Add(await HangfireAsync(redis, hangfire, jobs));
                }
                else
                {
                    theirs.Add(await HangfireAsync(redis, hangfire, jobs));
                    ours.Add(await OursAsync(redis, nodes, jobs));
                }

                Console.WriteLine($"  round {round + 1}: ours {ours[^1].JobsPerSecond:#,0} jobs/s, Hangfire {theirs[^1].JobsPerSecond:#,0} jobs/s (load average {LoadAverage()})");
            }

            return (ours, theirs);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>Each node starts its half of the jobs from <see cref="Starters"/> loops; done when every node's jobs have reached a final state.</summary>
    private static Task<RedisRun> OursAsync(LocalRedisServer redis, List<BackgrounderRedisNode> nodes, int jobs) =>
        MeasureAsync(redis, jobs, () => nodes.Sum(node => node.OperationCount), () => Task.WhenAll(nodes.SelectMany((node, index) =>
        {
            var share = HangfireRedisNodes.Share(jobs, index, nodes.Count);
            var done = node.Completions.WhenCount(node.Completions.Count + share);
            return new[] { node.StartJobsAsync(share, TenLineJob.RunAsync, Starters), done };
        })));

    private static Task<RedisRun> HangfireAsync(LocalRedisServer redis, HangfireRedisNodes hangfire, int jobs) =>
        MeasureAsync(redis, jobs, () => hangfire.OperationCount, () => hangfire.RunAsync(jobs, Starters));

    private static async Task<RedisRun> MeasureAsync(LocalRedisServer redis, int jobs, Func<long> operations, Func<Task> runJobs)
    {
        using var process = Process.GetCurrentProcess();
        var before = await redis.StatsAsync();
        var operationsBefore = operations();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await runJobs();
        var elapsed = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        await Task.Delay(Settle);
        var after = await redis.StatsAsync();
        var calls = string.Join(", ", after.CallsSince(before).Take(12).Select(call =>
            string.Create(CultureInfo.InvariantCulture, $"{call.Command} {call.Calls / (double)jobs:0.#}")));
        return new RedisRun(
            jobs / elapsed.TotalSeconds,
            (after.UsedMemory - before.UsedMemory) / (double)jobs,
            (operations() - operationsBefore) / (double)jobs,
            (after.Commands - before.Commands) / (double)jobs,
            (after.CpuSeconds - before.CpuSeconds) * 1e6 / jobs,
            cpu.TotalMicroseconds / jobs,
            calls);
    }

    /// <summary>Node A runs the job, node B serves its event stream; the baseline is one node with the memory store.</summary>
    private static async Task<(List<double[]> AcrossNodes, List<double[]> OneNode)> LatencyAsync(LocalRedisServer redis, string run)
    {
        var prefix = $"bench-{run}-latency:";
        await using var nodeA = await BackgrounderRedisNode.StartAsync(redis.ConnectionString, prefix, "node-a", BenchSettings.DefaultQueueCapacity);
        await using var nodeB = await BenchWebApp.StartAsync(
            BackgrounderRedisNode.Settings(redis.ConnectionString, prefix, "node-b", BenchSettings.DefaultQueueCapacity), app => app.MapJobEndpoints());
        await using var oneNode = await BenchWebApp.StartAsync([], app => app.MapJobEndpoints());
        var oneNodeJobs = oneNode.Services.GetRequiredService<BackgroundJobs>();
        using var client = new HttpClient();

        Task<double[]> AcrossNodesAsync(int lines) => LatencyMeasure.FollowJobAsync(nodeA.Jobs, nodeB.BaseAddress(), client, lines, LineGap);
        Task<double[]> OneNodeAsync(int lines) => LatencyMeasure.FollowJobAsync(oneNodeJobs, oneNode.BaseAddress(), client, lines, LineGap);

        await AcrossNodesAsync(WarmUpLines);
        await OneNodeAsync(WarmUpLines);

        var across = new List<double[]>();
        var one = new List<double[]>();
        for (var round = 0; round < Rounds; round++)
        {
            if (round % 2 == 0)
            {
                across.Add(await AcrossNodesAsync(LatencyLines));
                one.Add(await OneNodeAsync(LatencyLines));
            }
            else
            {
                one.Add(await OneNodeAsync(LatencyLines));
                across.Add(await AcrossNodesAsync(LatencyLines));
            }

            Console.WriteLine($"  latency round {round + 1}: A → B p50 {LatencySample.Percentile(across[^1], 0.5):#,0} µs, " +
                $"p99 {LatencySample.Percentile(across[^1], 0.99):#,0} µs; one node p50 {LatencySample.Percentile(one[^1], 0.5):#,0} µs, " +
                $"p99 {LatencySample.Percentile(one[^1], 0.99):#,0} µs (load average {LoadAverage()})");
        }

        return (across, one);
    }

    private static double Median(List<RedisRun> runs, Func<RedisRun, double> value) =>
        runs.Select(value).Order().ElementAt(runs.Count / 2);

    private static string Rounded(List<RedisRun> runs, Func<RedisRun, double> value) =>
        string.Join(" / ", runs.Select(run => value(run).ToString("#,0", CultureInfo.InvariantCulture)));

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

/// <summary>
/// One round of one side: its rate, and per job Redis memory, commands sent, commands executed, the server's CPU and
/// this process's (both nodes, their workers and whoever starts the jobs).
/// </summary>
public sealed record RedisRun(
    double JobsPerSecond,
    double MemoryPerJob,
    double OperationsPerJob,
    double CommandsPerJob,
    double CpuMicrosecondsPerJob,
    double ProcessCpuMicrosecondsPerJob,
    string Calls);
