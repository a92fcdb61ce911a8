using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Diagnostics;
using System.Globalization;
using Backgrounder.Benchmarks.Hosting;
using Company.WebApplication1.Background;

// Soak: a million short jobs through the real Background/ code with cleanup on. Checks after every start that the
// store holds no more than MaxRetainedJobs, and that the managed heap after a full GC stays flat from 250k jobs on.
// Run: dotnet run -c Release --project bench/Backgrounder.Soak [-- JOBS]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
const int MaxRetainedJobs = 1000;
const int QueueCapacity = 1000;

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Backgrounder:MaxConcurrentJobs"] = "4",
    ["Backgrounder:QueueCapacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture),
    ["Backgrounder:MaxRetainedJobs"] = MaxRetainedJobs.ToString(CultureInfo.InvariantCulture),
    ["Backgrounder:MaxOutputLines"] = "10",
    ["Backgrounder:CleanupInterval"] = "00:00:01",
    ["Backgrounder:RetentionPeriod"] = "00:00:05",
});
builder.Services.AddBackgrounder(builder.Configuration);
        // The template's source is its --store redis app; without ConnectionStrings:Redis it keeps jobs in memory,
        // which these measures are of, and outside Development that would stop start-up.
        builder.Services.RemoveAll<IValidateOptions<RedisStoreOptions>>();
using var host = builder.Build();
await host.StartAsync();

var jobs = host.Services.GetRequiredService<BackgroundJobs>();
var store = host.Services.GetRequiredService<IJobStore>();
using var completions = new JobCompletions(host.Services);
var maxRetained = 0;
var checkpoints = new List<(int Jobs, long HeapBytes, int Retained, TimeSpan Elapsed)>();
var counting = TimeSpan.Zero;
var clock = Stopwatch.StartNew();

for (var i = 1; i <= total; i++)
{
    // Keeps the queue from overflowing: the soak measures retention, not back-pressure.
    if (i - 1 - completions.Count >= QueueCapacity)
    {
        await completions.WhenCount(i - QueueCapacity);
    }

    await jobs.StartAsync((context, _) =>
    {
        context.WriteLine("done");
        return Task.CompletedTask;
    });

    // Only a start adds a job, so right after each one is where the most are held. Counting walks the store, so its
    // time is kept apart from the jobs'.
    var countStarted = Stopwatch.GetTimestamp();
    maxRetained = Math.Max(maxRetained, await RetainedAsync(store));
    counting += Stopwatch.GetElapsedTime(countStarted);

    if (i % (total / 4) == 0)
    {
        checkpoints.Add((i, HeapAfterFullGc(), await RetainedAsync(store), clock.Elapsed - counting));
    }
}

await host.StopAsync();

Console.WriteLine($"Soak: {total:N0} jobs, MaxRetainedJobs {MaxRetainedJobs}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine("| jobs | managed heap after full GC | retained | elapsed |");
Console.WriteLine("|---:|---:|---:|---:|");
foreach (var (count, heap, retained, elapsed) in checkpoints)
{
    Console.WriteLine($"| {count:N0} | {heap / 1024.0 / 1024.0:F1} MiB | {retained:N0} | {elapsed.TotalSeconds:F1} s |");
}

var growth = (double)checkpoints[^1].HeapBytes / checkpoints[0].HeapBytes;
Console.WriteLine($"Heap at {checkpoints[^1].Jobs:N0} / heap at {checkpoints[0].Jobs:N0}: {growth:F2}");
Console.WriteLine($"Most jobs retained at once: {maxRetained:N0} (limit {MaxRetainedJobs:N0})");
Console.WriteLine($"Elapsed excludes the soak's own count after every start: {counting.TotalSeconds:F1} s in all.");
return maxRetained <= MaxRetainedJobs && growth < 1.25 ? 0 : 1;

static async Task<int> RetainedAsync(IJobStore store) => (await store.CountAsync()).Values.Sum();

static long HeapAfterFullGc()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: true);
}
