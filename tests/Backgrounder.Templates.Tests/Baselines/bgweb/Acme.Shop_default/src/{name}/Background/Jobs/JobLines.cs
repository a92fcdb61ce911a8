namespace Acme.Shop.Background;

/// <summary>Lines of a job's output, the first of them numbered <paramref name="First"/>.</summary>
/// <remarks>A value, not an object: most writes send a single line (docs/benchmarks.md, measure 2).</remarks>
public readonly record struct JobLines(long First, IReadOnlyList<string> Lines)
{
    /// <summary>The number of the line after these: where the next read starts.</summary>
    public long Next => First + Lines.Count;
}
