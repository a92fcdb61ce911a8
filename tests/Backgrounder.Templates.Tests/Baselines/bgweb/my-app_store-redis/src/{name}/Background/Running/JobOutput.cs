namespace my_app.Background;

/// <summary>
/// One job's output on the node that runs it, on its way to the store.
/// A job never waits for the store: lines wait here and go in batches, one store call at a time, in order; while
/// the store cannot be reached they are kept (within the output limits) and sent when it is back. Lines longer than
/// <see cref="BackgrounderOptions.MaxLineLength"/> are cut and marked (<see cref="LineAssembler"/>). Once closed (the
/// job ended), the output takes nothing more: later writes go to the process's stdout (or a test's writer).
/// </summary>
internal sealed class JobOutput
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly IJobStore _store;
    private readonly TimeProvider _time;
    private readonly TextWriter? _stdout;
    private readonly Lock _gate = new();
    private readonly LineRing _waiting;
    private readonly LineAssembler _lines;
    private double? _progress;
    private JobId? _job;
    private bool _sending;
    private bool _closed;
    private TaskCompletionSource? _drained;

    /// <param name="firstLine">The number of its first line: a retried job's lines go on from its earlier attempts'.</param>
    public JobOutput(IJobStore store, BackgrounderOptions options, TimeProvider time, TextWriter? stdout = null, long firstLine = 0)
    {
        (_store, _time, _stdout) = (store, time, stdout);
        _waiting = new LineRing(options.MaxOutputLines, options.MaxOutputBytes);
        _waiting.StartAt(firstLine);
        _lines = new LineAssembler(_waiting, options.MaxLineLength);
    }

    private TextWriter Stdout => _stdout ?? ConsoleRouter.Stdout;

    /// <summary>The job this output belongs to; null while a handler has not started one.</summary>
    public JobId? Job
    {
        get { lock (_gate) { return _job; } }
    }

    /// <summary>A whole line (<see cref="JobContext.WriteLine"/>): one line, whatever line breaks it holds.</summary>
    public void WriteLine(string line)
    {
        bool taken;
        Batch? batch = null;
        lock (_gate)
        {
            taken = !_closed;
            if (taken)
            {
                _lines.AddLine(line);
                batch = TryBeginSend();
            }
        }

        if (!taken)
        {
            Stdout.WriteLine(line);
        }
        else
        {
            Send(batch);
        }
    }

    /// <summary>Console text: line breaks end lines, and a partial line waits for the rest (up to the length limit).</summary>
    public void Write(ReadOnlySpan<char> text, bool endLine = false)
    {
        bool taken;
        Batch? batch = null;
        lock (_gate)
        {
            taken = !_closed;
            if (taken)
            {
                _lines.AddText(text, endLine);
                batch = TryBeginSend();
            }
        }

        if (!taken)
        {
            if (endLine)
            {
                Stdout.WriteLine(text);
            }
            else
            {
                Stdout.Write(text);
            }
        }
        else if (batch is { } lines)
        {
            // Console calls hold the console's process-wide lock: the store is called from the thread pool instead.
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Output.SendAsync(state.Lines), (Output: this, Lines: lines), preferLocal: false);
        }
    }

    public void ReportProgress(double progress)
    {
        Batch? batch;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _progress = progress;
            batch = TryBeginSend();
        }

        Send(batch);
    }

    /// <summary>From now on the lines, those written so far first, go to the store as lines of <paramref name="id"/>.</summary>
    public void Attach(JobId id)
    {
        Batch? batch;
        lock (_gate)
        {
            _job = id;
            batch = TryBeginSend();
        }

        Send(batch);
    }

    /// <summary>
    /// Ends a partial line and takes nothing more. Completes when the store has every line, or at once when no job
    /// owns the output (a handler that started none): then its lines go to stdout, where they are not lost.
    /// </summary>
    public Task CloseAsync()
    {
        IReadOnlyList<string>? orphaned = null;
        Batch? batch = null;
        Task drained;
        lock (_gate)
        {
            if (!_closed)
            {
                _lines.EndPartialLine();
            }

            _closed = true;
            if (_job is null)
            {
                orphaned = _waiting.Read(0).Lines;
                _waiting.DiscardBefore(_waiting.Written);
                drained = Task.CompletedTask;
            }
            else if (!_sending && _waiting.IsEmpty && _progress is null)
            {
                drained = Task.CompletedTask;
            }
            else
            {
                drained = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                batch = TryBeginSend();
            }
        }

        foreach (var line in orphaned ?? [])
        {
            Stdout.WriteLine(line);
        }

        Send(batch);

        return drained;
    }

    /// <summary>
    /// Under the lock: the lines and progress to send now, unless a send is under way (it takes what came meanwhile),
    /// no job owns the output yet, or nothing waits. Taken under the lock that added the line: one lock fewer per
    /// line (docs/benchmarks.md, measure 2).
    /// </summary>
    private Batch? TryBeginSend()
    {
        if (_sending || _job is null)
        {
            return null;
        }

        var batch = Take();
        _sending = batch is not null;
        return batch;
    }

    /// <summary>Under the lock: every line that waits and the progress, or null (and <see cref="Drained"/>) when nothing does.</summary>
    private Batch? Take()
    {
        if (_waiting.IsEmpty && _progress is null)
        {
            Drained();
            return null;
        }

        return new Batch(_job!.Value, _waiting.Read(_waiting.First), _progress);
    }

    /// <summary>
    /// Sends inline: an in-memory store takes the lines at once; a slow store's call goes on without the writer, who
    /// never waits for it.
    /// </summary>
    private void Send(Batch? batch)
    {
        if (batch is { } lines)
        {
            _ = SendAsync(lines);
        }
    }

    /// <summary>One store call at a time, each taking every line that waits: batches grow while the store is slow.</summary>
    private async Task SendAsync(Batch batch)
    {
        while (true)
        {
            try
            {
                var accepted = batch.Lines.Lines.Count == 0 || await _store.AppendAsync(batch.Job, batch.Lines);
                if (batch.Progress is { } fraction)
                {
                    await _store.ReportProgressAsync(batch.Job, fraction);
                }

                IReadOnlyList<string>? unsent = null;
                lock (_gate)
                {
                    _waiting.DiscardBefore(batch.Lines.Next);
                    if (_progress == batch.Progress)
                    {
                        _progress = null;
                    }

                    if (!accepted)
                    {
                        // Someone else finished the job (its node was taken for gone): its output is closed.
                        _closed = true;
                        unsent = _waiting.Read(_waiting.First).Lines;
                        _waiting.DiscardBefore(_waiting.Written);
                    }
                    else if (Take() is { } next)
                    {
                        batch = next;
                        continue;
                    }

                    _sending = false;
                    Drained();
                }

                if (unsent is not null)
                {
                    foreach (var line in batch.Lines.Lines.Concat(unsent))
                    {
                        Stdout.WriteLine(line);
                    }
                }

                return;
            }
            catch (Exception)
            {
                // The store cannot be reached (Redis is down, say): keep every line, in order, and try again.
                // Lines carry their numbers, so a call that did reach the store is not applied twice.
                await Task.Delay(RetryDelay, _time);
                lock (_gate)
                {
                    batch = Take() ?? batch;
                }
            }
        }
    }

    /// <summary>What one store call sends.</summary>
    private readonly record struct Batch(JobId Job, JobLines Lines, double? Progress);

    private void Drained()
    {
        if (_closed)
        {
            _drained?.TrySetResult();
        }
    }
}
