namespace Company.WebApplication1.Background;

/// <summary>
/// The lines a job has written: what the seed captured from <c>print</c>, but bounded. Past
/// <see cref="BackgrounderOptions.MaxOutputLines"/> the oldest lines are dropped and counted.
/// Every line has a sequence number (0, 1, …) that readers resume from.
/// </summary>
public sealed class JobOutput(int maxLines)
{
    private readonly Lock _gate = new();
    // A list with a moving start rather than a Queue: a reader resuming at line N copies only what follows N.
    private readonly List<string> _lines = [];
    private int _start;
    private long _written;

    /// <summary>Lines written so far, dropped ones included; also the next line's sequence number.</summary>
    public long LineCount
    {
        get { lock (_gate) { return _written; } }
    }

    /// <summary>Fires on every line written; <see cref="Job"/> fires it on status changes too.</summary>
    public ChangeSignal Changed { get; } = new();

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            _written++;
            if (_lines.Count - _start > maxLines)
            {
                _lines[_start++] = null!;
                if (_start >= maxLines)
                {
                    // Compacting once per maxLines drops keeps writing O(1) on average.
                    _lines.RemoveRange(0, _start);
                    _start = 0;
                }
            }
        }

        // Readers pull at their own pace, so a writer never waits for them, however slow they are.
        Changed.Notify();
    }

    /// <summary>The lines still kept whose sequence number is <paramref name="from"/> or later.</summary>
    public OutputPage Read(long from = 0)
    {
        lock (_gate)
        {
            var kept = _lines.Count - _start;
            var first = _written - kept;
            var skip = (int)Math.Clamp(from - first, 0, kept);
            return new OutputPage(first, first + skip, _lines.GetRange(_start + skip, kept - skip));
        }
    }

    /// <summary>Completes once more than <paramref name="lineCount"/> lines have been written.</summary>
    public async Task WaitForLinesAsync(long lineCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Changed.Next();
            if (LineCount > lineCount)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
