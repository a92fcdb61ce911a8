namespace Company.WebApplication1.Background;

/// <summary>
/// A slice of a job's output. <paramref name="Dropped"/> lines were discarded before the oldest kept one;
/// <paramref name="FirstSequence"/> is the sequence number of <c>Lines[0]</c>.
/// </summary>
public sealed record OutputPage(long Dropped, long FirstSequence, IReadOnlyList<string> Lines);
