namespace Company.WebApplication1.Background;

/// <summary>
/// The lines a job has written: what the seed captured from <c>print</c>, but bounded. Past
/// <see cref="BackgrounderOptions.MaxOutputLines"/> the oldest lines are dropped and counted.
/// </summary>
public sealed class JobOutput(int maxLines)
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private long _written;
    private TaskCompletionSource? _writtenSignal;

    /// <summary>Lines written so far, dropped ones included; also the next line's sequence number.</summary>
    public long LineCount
    {
        get { lock (_gate) { return _written; } }
    }

    public void WriteLine(string line)
    {
        TaskCompletionSource? signal;
        lock (_gate)
        {
            _lines.Enqueue(line);
            _written++;
            if (_lines.Count > maxLines)
            {
                _lines.Dequeue();
            }

            (signal, _writtenSignal) = (_writtenSignal, null);
        }

        signal?.TrySetResult();
    }

    /// <summary>The lines still kept whose sequence number is <paramref name="from"/> or later.</summary>
    public OutputPage Read(long from = 0)
    {
        lock (_gate)
        {
            var first = _written - _lines.Count;
            var skip = (int)Math.Clamp(from - first, 0, _lines.Count);
            return new OutputPage(first, first + skip, [.. _lines.Skip(skip)]);
        }
    }

    /// <summary>Completes once more than <paramref name="lineCount"/> lines have been written.</summary>
    public Task WaitForLinesAsync(long lineCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_written > lineCount)
            {
                return Task.CompletedTask;
            }

            // One signal per burst, created only when someone waits: writing stays allocation-free otherwise.
            _writtenSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _writtenSignal.Task.WaitAsync(cancellationToken);
        }
    }
}
