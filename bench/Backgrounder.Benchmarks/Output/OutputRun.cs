namespace Backgrounder.Benchmarks.Output;

/// <summary>One round of <see cref="OutputMeasure"/>: the writer's rate, the process's allocations per line, and what each follower saw.</summary>
public sealed record OutputRun(double LinesPerSecond, double BytesPerLine, double LinesPerFollower);
