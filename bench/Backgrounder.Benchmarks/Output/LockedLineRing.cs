namespace Backgrounder.Benchmarks.Output;

/// <summary>
/// The practical limit for a job's output: the last <c>capacity</c> lines in a ring behind a lock, with no
/// sequence numbers, no signal and no reader support.
/// </summary>
public sealed class LockedLineRing(int capacity)
{
    private readonly Lock _gate = new();
    private readonly string[] _lines = new string[capacity];
    private long _written;

    public long Count
    {
        get { lock (_gate) { return _written; } }
    }

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            _lines[_written++ % _lines.Length] = line;
        }
    }
}
