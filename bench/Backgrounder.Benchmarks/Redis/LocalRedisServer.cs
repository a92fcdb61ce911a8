using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Backgrounder.Benchmarks.Redis;

/// <summary>
/// A <c>redis-server</c> of this measure's own on a free 127.0.0.1 port, persistence off (<c>--save '' --appendonly no</c>),
/// its files in a temporary folder; stopped by its process id, and the folder removed, when disposed.
/// </summary>
public sealed class LocalRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly ConnectionMultiplexer _admin;

    private LocalRedisServer(Process process, DirectoryInfo directory, int port, ConnectionMultiplexer admin)
    {
        (_process, _directory, Port, _admin) = (process, directory, port, admin);
    }

    public int Port { get; }

    /// <summary>What <c>ConnectionStrings:Redis</c> and Hangfire's multiplexers are given.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Version => _admin.GetServer(ConnectionString).Version.ToString();

    public static async Task<LocalRedisServer> StartAsync()
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("backgrounder-bench-redis-");
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.FullName,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
            "--dir", directory.FullName, "--logfile", Path.Combine(directory.FullName, "redis.log"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (Win32Exception exception)
        {
            directory.Delete(recursive: true);
            throw new InvalidOperationException("redis-server was not found on the PATH (apt-get install redis-server).", exception);
        }

        try
        {
            var admin = await ConnectAsync(port, process);
            return new LocalRedisServer(process, directory, port, admin);
        }
        catch
        {
            Stop(process);
            directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>What the server reports now: <c>INFO memory</c>, <c>INFO cpu</c>, <c>INFO stats</c> and <c>INFO commandstats</c>.</summary>
    public async Task<RedisServerStats> StatsAsync()
    {
        // "all": a plain INFO leaves out commandstats.
        var info = await _admin.GetServer(ConnectionString).InfoAsync("all");
        var fields = info.SelectMany(section => section).ToDictionary(pair => pair.Key, pair => pair.Value);
        var calls = fields
            .Where(pair => pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key["cmdstat_".Length..], pair => CallsOf(pair.Value));
        return new RedisServerStats(
            long.Parse(fields["used_memory"], CultureInfo.InvariantCulture),
            double.Parse(fields["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(fields["used_cpu_sys"], CultureInfo.InvariantCulture),
            long.Parse(fields["total_commands_processed"], CultureInfo.InvariantCulture),
            calls);
    }

    /// <summary>From now on the server logs every call of at least <paramref name="threshold"/> (SLOWLOG).</summary>
    public async Task WatchSlowCallsAsync(TimeSpan threshold)
    {
        var server = _admin.GetServer(ConnectionString);
        await server.ConfigSetAsync("slowlog-log-slower-than", (long)threshold.TotalMicroseconds);
        await server.ConfigSetAsync("slowlog-max-len", 10_000);
        await server.SlowlogResetAsync();
    }

    /// <summary>The slowest call the server logged since <see cref="WatchSlowCallsAsync"/> (its command and first argument), or null.</summary>
    public async Task<(TimeSpan Duration, string Command)?> SlowestCallAsync()
    {
        var calls = await _admin.GetServer(ConnectionString).SlowlogGetAsync(10_000);
        if (calls.MaxBy(call => call.Duration) is not { } slowest)
        {
            return null;
        }

        // A script's first argument is its whole text: its first line names it well enough.
        var words = slowest.Arguments.Take(2).Select(argument => ((string?)argument ?? "").Split('\n')[0]);
        return (slowest.Duration, string.Join(' ', words.Select(word => word.Length > 60 ? word[..60] + "…" : word)));
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        Stop(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(int port, Process process)
    {
        var options = ConfigurationOptions.Parse($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},allowAdmin=true,abortConnect=false");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
            }

            var admin = await ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                await admin.GetDatabase().PingAsync();
                return admin;
            }
            catch (RedisConnectionException) when (clock.Elapsed < StartTimeout)
            {
                await admin.DisposeAsync();
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Ends this measure's own server, by the id of the process it started, never by name.</summary>
    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>calls=12,usec=34,…</c> → 12.</summary>
    private static long CallsOf(string commandStats)
    {
        var calls = commandStats.Split(',')[0];
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// One reading of the server: bytes in use (<c>used_memory</c>), CPU seconds spent (user + system), commands processed
/// (those a script runs included) and calls per command name.
/// </summary>
public sealed record RedisServerStats(long UsedMemory, double CpuSeconds, long Commands, IReadOnlyDictionary<string, long> Calls)
{
    /// <summary>Calls per command since <paramref name="before"/>, most first.</summary>
    public IEnumerable<(string Command, long Calls)> CallsSince(RedisServerStats before) =>
        Calls.Select(pair => (pair.Key, pair.Value - before.Calls.GetValueOrDefault(pair.Key)))
            .Where(pair => pair.Item2 > 0)
            .OrderByDescending(pair => pair.Item2);
}
