using Backgrounder.Benchmarks.Throughput;
using Hangfire;
using Hangfire.Redis.StackExchange;
using StackExchange.Redis;

namespace Backgrounder.Benchmarks.Redis;

/// <summary>
/// Hangfire 1.8 on Hangfire.Redis.StackExchange, as two nodes would run it: per node a connection, a
/// <see cref="RedisStorage"/> (the same prefix for both), a <see cref="BackgroundJobServer"/> with 16 workers and a
/// <see cref="BackgroundJobClient"/> through which that node's half of the jobs is enqueued. Any server runs any job (Hangfire's
/// queue is shared); a job counts when Hangfire applies its Succeeded state (<see cref="HangfireCompletion"/>).
/// </summary>
public sealed class HangfireRedisNodes : IDisposable
{
    private readonly ConnectionMultiplexer[] _redis;
    private readonly BackgroundJobServer[] _servers;
    private readonly IBackgroundJobClient[] _clients;

    public HangfireRedisNodes(string connectionString, string prefix, int nodes, int workers)
    {
        HangfireCompletion.Install();
        _redis = [.. Enumerable.Range(0, nodes).Select(_ => ConnectionMultiplexer.Connect(connectionString))];
        var storages = _redis.Select(redis => new RedisStorage(redis, new RedisStorageOptions { Prefix = prefix })).ToArray();
        _servers = [.. storages.Select((storage, node) => new BackgroundJobServer(
            new BackgroundJobServerOptions { WorkerCount = workers, ServerName = $"hangfire-{node}" }, storage))];
        _clients = [.. storages.Select(storage => new BackgroundJobClient(storage))];
    }

    /// <summary>Commands the nodes' connections have sent to Redis so far.</summary>
    public long OperationCount => _redis.Sum(redis => redis.OperationCount);

    /// <summary>
    /// Each node enqueues its half from <paramref name="startersPerNode"/> threads at once (the client's calls block), as
    /// fast as it can; completes when every job has succeeded.
    /// </summary>
    public async Task RunAsync(int jobs, int startersPerNode)
    {
        var allDone = HangfireCompletion.Expect(jobs);
        var starters = _clients.Length * startersPerNode;
        await Task.WhenAll(Enumerable.Range(0, starters).Select(starter => Task.Factory.StartNew(() =>
        {
            var client = _clients[starter % _clients.Length];
            for (var i = Share(jobs, starter, starters); i > 0; i--)
            {
                client.Enqueue(() => HangfireJobs.TenLines(null!));
            }
        }, TaskCreationOptions.LongRunning)));
        await allDone;
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="jobs"/> split in <paramref name="parts"/> as evenly as can be.</summary>
    public static int Share(int jobs, int index, int parts) => jobs / parts + (index < jobs % parts ? 1 : 0);

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.SendStop();
        }

        foreach (var server in _servers)
        {
            server.Dispose();
        }

        foreach (var redis in _redis)
        {
            redis.Dispose();
        }
    }
}
