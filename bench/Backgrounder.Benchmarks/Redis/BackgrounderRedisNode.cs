using System.Globalization;
using Backgrounder.Benchmarks.Hosting;
using Company.WebApplication1.Background;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Backgrounder.Benchmarks.Redis;

/// <summary>
/// One node of the app on the shared Redis: the template's <c>AddBackgrounder</c> in a generic host, with its own
/// <c>NodeName</c>, its 16 workers and its own connection, and the key prefix every node of a run shares.
/// </summary>
public sealed class BackgrounderRedisNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly BackgroundJobs _jobs;
    private readonly IConnectionMultiplexer _redis;

    private BackgrounderRedisNode(IHost host)
    {
        _host = host;
        _jobs = host.Services.GetRequiredService<BackgroundJobs>();
        _redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        Completions = new JobCompletions(host.Services);
    }

    public JobCompletions Completions { get; }

    public BackgroundJobs Jobs => _jobs;

    /// <summary>Commands this node's connection has sent to Redis so far.</summary>
    public long OperationCount => _redis.OperationCount;

    /// <summary>
    /// The settings of a node of a run: <c>ConnectionStrings:Redis</c>, the run's <c>Backgrounder:Redis:KeyPrefix</c> and
    /// this node's <c>Backgrounder:NodeName</c>. Every job stays (<c>MaxRetainedJobs</c> unbounded, <c>RetentionPeriod</c>
    /// its default hour), as Hangfire keeps its succeeded jobs for a day; the queue holds what this node is given at once.
    /// </summary>
    public static Dictionary<string, string?> Settings(string connectionString, string keyPrefix, string nodeName, int queueCapacity) => new()
    {
        ["ConnectionStrings:Redis"] = connectionString,
        ["Backgrounder:Redis:KeyPrefix"] = keyPrefix,
        ["Backgrounder:NodeName"] = nodeName,
        ["Backgrounder:MaxConcurrentJobs"] = BenchSettings.Workers.ToString(CultureInfo.InvariantCulture),
        ["Backgrounder:QueueCapacity"] = queueCapacity.ToString(CultureInfo.InvariantCulture),
        ["Backgrounder:MaxRetainedJobs"] = int.MaxValue.ToString(CultureInfo.InvariantCulture),
    };

    public static async Task<BackgrounderRedisNode> StartAsync(string connectionString, string keyPrefix, string nodeName, int queueCapacity)
    {
        var host = BackgrounderHost.Build(Settings(connectionString, keyPrefix, nodeName, queueCapacity));
        await host.StartAsync();
        return new BackgrounderRedisNode(host);
    }

    /// <summary>
    /// Starts <paramref name="jobs"/> jobs from <paramref name="starters"/> loops at once (as that many concurrent
    /// requests would), each starting its next job as soon as the store has recorded the last.
    /// </summary>
    public Task StartJobsAsync(int jobs, JobWork work, int starters) =>
        Task.WhenAll(Enumerable.Range(0, starters).Select(starter => Task.Run(async () =>
        {
            for (var i = HangfireRedisNodes.Share(jobs, starter, starters); i > 0; i--)
            {
                await _jobs.StartAsync(work);
            }
        })));

    public async ValueTask DisposeAsync()
    {
        Completions.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
