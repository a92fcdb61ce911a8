using System.Diagnostics;

namespace Backgrounder.Benchmarks.Latency;

/// <summary>Write and arrival times of numbered lines, and the percentiles of the delay between them.</summary>
public sealed class LatencySample(int lines)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _arrivals = new(0);

    public long[] WrittenAt { get; } = new long[lines];

    public long[] ArrivedAt { get; } = new long[lines];

    /// <summary>For <see cref="Sse.SseFollower"/>: line <paramref name="id"/> reached the client at <paramref name="timestamp"/>.</summary>
    public void OnArrived(long id, long timestamp)
    {
        if (id >= 0 && id < ArrivedAt.Length)
        {
            ArrivedAt[id] = timestamp;
            _arrivals.Release();
        }
    }

    /// <summary>Waits for the next line to arrive, so each line is measured on its own, never behind a backlog.</summary>
    public async Task WaitForArrivalAsync()
    {
        if (!await _arrivals.WaitAsync(Timeout))
        {
            throw new TimeoutException($"No line reached the client within {Timeout}.");
        }
    }

    /// <summary>Delays in microseconds, sorted; throws if a line never arrived.</summary>
    public double[] SortedMicroseconds()
    {
        var delays = new double[WrittenAt.Length];
        for (var i = 0; i < delays.Length; i++)
        {
            if (ArrivedAt[i] == 0)
            {
                throw new InvalidOperationException($"Line {i} never reached the client.");
            }

            delays[i] = Stopwatch.GetElapsedTime(WrittenAt[i], ArrivedAt[i]).TotalMicroseconds;
        }

        Array.Sort(delays);
        return delays;
    }

    public static double Percentile(double[] sorted, double fraction) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
