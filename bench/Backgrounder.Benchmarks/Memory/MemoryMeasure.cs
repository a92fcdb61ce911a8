using System.Collections.Concurrent;
using System.Diagnostics;
using Backgrounder.Benchmarks.Hosting;
using Backgrounder.Benchmarks.Reporting;
using Company.WebApplication1.Background;
using Microsoft.Extensions.Hosting;

namespace Backgrounder.Benchmarks.Memory;

/// <summary>
/// Measure 5: bytes a finished 10-line job keeps alive (100k jobs, after full GC), against the same ids and lines
/// in a plain dictionary; and the live heap after a 1M-job churn with cleanup on, against the steady state before it.
/// </summary>
public static class MemoryMeasure
{
    private const int RetainedJobs = 100_000;
    private const int WarmUpJobs = 10_000;
    private const int ChurnJobs = 1_000_000;

    /// <summary>The template's default <c>Backgrounder:MaxRetainedJobs</c>, which the churn keeps.</summary>
    private const int MaxRetainedJobs = 1000;

    /// <summary>Short, so the churn's end is swept within seconds; the default (30 s) is for real traffic.</summary>
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromSeconds(1);

    public static async Task RunAsync()
    {
        var table = new RatioTable("Memory (lower is better)");

        // The churn first, so the process's peak working set is the churn's own.
        var churn = await ChurnAsync();
        var baselinePerJob = BaselineBytesPerJob();
        var oursPerJob = await OursBytesPerJobAsync();

        table.Add($"bytes retained per finished 10-line job ({RetainedJobs:#,0} jobs)", oursPerJob, baselinePerJob, "B",
            "ConcurrentDictionary<string, string[]> of the same ids and lines");
        table.Add($"live heap after {ChurnJobs:#,0}-job churn, cleanup on", churn.AfterMiB, churn.SteadyMiB, "MiB",
            $"after {WarmUpJobs:#,0} jobs and a sweep, same host");
        table.Add("most jobs held between two sweeps during the churn", churn.PeakJobs, MaxRetainedJobs, "jobs",
            "Backgrounder:MaxRetainedJobs");
        table.Add("peak working set of the process during the churn", churn.PeakWorkingSetMiB, churn.SteadyWorkingSetMiB, "MiB",
            "working set at the steady state");
        table.Print();
        Console.WriteLine($"Churn: {ChurnJobs:#,0} jobs in {churn.Elapsed.TotalSeconds:0.0} s with CleanupInterval {CleanupInterval}; " +
            $"jobs kept after the last sweep: {churn.JobsKept:#,0}.");
    }

    /// <summary>The data itself: a 22-character id and ten lines per job, indexed by id, nothing else.</summary>
    private static double BaselineBytesPerJob()
    {
        var before = ManagedHeap.LiveBytes();
        var jobs = new ConcurrentDictionary<string, string[]>();
        for (var i = 0; i < RetainedJobs; i++)
        {
            jobs[JobId.New().ToString()] = [.. Enumerable.Range(0, DistinctLinesJob.Lines).Select(line => SampleLines.Make(line, i))];
        }

        var after = ManagedHeap.LiveBytes();
        GC.KeepAlive(jobs);
        return (after - before) / (double)RetainedJobs;
    }

    private static async Task<double> OursBytesPerJobAsync()
    {
        using var host = BackgrounderHost.Build(new()
        {
            ["Backgrounder:MaxRetainedJobs"] = int.MaxValue.ToString(),
            ["Backgrounder:CleanupInterval"] = "1.00:00:00",
        });
        await host.StartAsync();
        using var completions = new JobCompletions(host.Services);
        var producer = Producer(host, completions);
        await producer.RunAsync(1, seed => new DistinctLinesJob(seed).RunAsync);

        var before = ManagedHeap.LiveBytes();
        await producer.RunAsync(RetainedJobs, seed => new DistinctLinesJob(seed).RunAsync);
        var after = ManagedHeap.LiveBytes();

        await host.StopAsync();
        return (after - before) / (double)RetainedJobs;
    }

    private static async Task<ChurnResult> ChurnAsync()
    {
        using var host = BackgrounderHost.Build(new()
        {
            ["Backgrounder:CleanupInterval"] = CleanupInterval.ToString(),
        });
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IJobStore>();
        using var completions = new JobCompletions(host.Services);
        var producer = Producer(host, completions);

        await producer.RunAsync(WarmUpJobs, seed => new DistinctLinesJob(seed).RunAsync);
        await Task.Delay(CleanupInterval * 2.5);
        var steady = ManagedHeap.LiveBytes();
        using var process = Process.GetCurrentProcess();
        var steadyWorkingSet = process.WorkingSet64;

        var peakJobs = 0;
        var clock = Stopwatch.StartNew();
        await producer.RunAsync(ChurnJobs, seed => new DistinctLinesJob(seed).RunAsync,
            everyThousand: async _ => peakJobs = Math.Max(peakJobs, await CountAsync(store)));
        var elapsed = clock.Elapsed;
        process.Refresh();
        var peakWorkingSet = process.PeakWorkingSet64;
        await Task.Delay(CleanupInterval * 2.5);
        var after = ManagedHeap.LiveBytes();

        await host.StopAsync();
        return new ChurnResult(ToMiB(steady), ToMiB(after), await CountAsync(store), peakJobs, ToMiB(steadyWorkingSet), ToMiB(peakWorkingSet), elapsed);
    }

    private static WindowedProducer Producer(IHost host, JobCompletions completions) => new(
        host.Services.GetRequiredService<BackgroundJobs>(),
        completions,
        BenchSettings.DefaultQueueCapacity);

    private static async Task<int> CountAsync(IJobStore store) => (await store.CountAsync()).Values.Sum();

    private static double ToMiB(long bytes) => bytes / 1024.0 / 1024.0;
}
