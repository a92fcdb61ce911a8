namespace Backgrounder.Benchmarks;

/// <summary>Lines shaped like the seed's <c>LongRunning</c> output (<c>i: 2008-06-14 15:50:27.763813</c>).</summary>
public static class SampleLines
{
    public static readonly string[] Ten = [.. Enumerable.Range(0, 10).Select(i => Make(i, 763813))];

    public static string Make(int index, int microseconds) => $"{index}: 2008-06-14 15:50:27.{microseconds % 1_000_000:D6}";
}
