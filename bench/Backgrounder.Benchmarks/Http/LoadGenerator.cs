using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Backgrounder.Benchmarks.Http;

/// <summary>
/// Requests per second that one URL answers, from wrk when it is installed (a separate process, as a real client
/// is), else from an HttpClient loop. Both stop after <c>duration</c>; the URL must be on loopback.
/// </summary>
public static partial class LoadGenerator
{
    private const int MaxRequestsPerRun = 5_000_000;

    public static string Name => WrkPath is null ? "HttpClient loop" : "wrk";

    private static string? WrkPath { get; } = FindOnPath("wrk");

    public static async Task<double> RequestsPerSecondAsync(Uri url, TimeSpan duration, int connections)
    {
        if (!url.IsLoopback)
        {
            throw new ArgumentException($"Load goes to loopback only, not {url}.", nameof(url));
        }

        return WrkPath is { } wrk
            ? await RunWrkAsync(wrk, url, duration, connections)
            : await RunHttpClientLoopAsync(url, duration, connections);
    }

    private static async Task<double> RunWrkAsync(string wrk, Uri url, TimeSpan duration, int connections)
    {
        var info = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "2s", url.ToString() })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        if (output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk saw failed requests to {url}:\n{output}");
        }

        var match = RequestsPerSecond().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"No Requests/sec in wrk's output:\n{output}");
    }

    private static async Task<double> RunHttpClientLoopAsync(Uri url, TimeSpan duration, int connections)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false };
        using var client = new HttpClient(handler);
        var requests = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref requests) <= MaxRequestsPerRun)
            {
                using var response = await client.GetAsync(url);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }
        }));
        return Math.Min(requests, MaxRequestsPerRun) / clock.Elapsed.TotalSeconds;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
