using System.Text;

namespace Acme.Shop.Background;

/// <summary>
/// One job's output on the node that runs it, on its way to the store.
/// A job never waits for the store: lines wait here and go in batches, one store call at a time, in order; while
/// the store cannot be reached they are kept (within the output limits) and sent when it is back. Lines longer than
/// <see cref="BackgrounderOptions.MaxLineLength"/> are cut and marked. Once closed (the job ended), the output takes
/// nothing more: later writes go to the process's stdout (or <paramref name="stdout"/>, a test's).
/// </summary>
internal sealed class JobOutput(IJobStore store, BackgrounderOptions options, TimeProvider time, TextWriter? stdout = null)
{
    /// <summary>Ends a line cut at <see cref="BackgrounderOptions.MaxLineLength"/>; the rest follows on the next line.</summary>
    public const string CutMark = "…";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly LineRing _waiting = new(options.MaxOutputLines, options.MaxOutputBytes);
    private StringBuilder? _partialLine;
    private double? _progress;
    private JobId? _job;
    private bool _sending;
    private bool _closed;
    private TaskCompletionSource? _drained;

    private TextWriter Stdout => stdout ?? ConsoleRouter.Stdout;

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
                AddCut(line);
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
                AddText(text, endLine);
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
            if (!_closed && _partialLine is { Length: > 0 })
            {
                EndLine();
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
    /// line (benchmarks, measure 2).
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
                var accepted = batch.Lines.Lines.Count == 0 || await store.AppendAsync(batch.Job, batch.Lines);
                if (batch.Progress is { } fraction)
                {
                    await store.ReportProgressAsync(batch.Job, fraction);
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
                await Task.Delay(RetryDelay, time);
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

    private void AddText(ReadOnlySpan<char> text, bool endLine)
    {
        int newline;
        while ((newline = text.IndexOf('\n')) >= 0)
        {
            AppendPartial(text[..newline]);
            EndLine();
            text = text[(newline + 1)..];
        }

        AppendPartial(text);
        if (endLine)
        {
            EndLine();
        }
    }

    private void AppendPartial(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Made on the first partial line only: most jobs write whole lines.
        var partial = _partialLine ??= new StringBuilder();
        partial.Append(text);

        // Console.Write(".") a million times: shown in pieces of MaxLineLength, never buffered without limit.
        while (partial.Length > options.MaxLineLength)
        {
            var cut = CutLength(partial.ToString(0, options.MaxLineLength));
            _waiting.Add(partial.ToString(0, cut) + CutMark);
            partial.Remove(0, cut);
        }
    }

    private void EndLine()
    {
        if (_partialLine is not { Length: > 0 } partial)
        {
            _waiting.Add(string.Empty);
            return;
        }

        if (partial[^1] == '\r')
        {
            partial.Length--;
        }

        _waiting.Add(partial.ToString());
        partial.Clear();
    }

    private void AddCut(string line)
    {
        while (line.Length > options.MaxLineLength)
        {
            var cut = CutLength(line);
            _waiting.Add(line[..cut] + CutMark);
            line = line[cut..];
        }

        _waiting.Add(line);
    }

    /// <summary>Where to cut a line that is too long: at the limit, but never between the halves of a surrogate pair.</summary>
    private int CutLength(string line) =>
        char.IsHighSurrogate(line[options.MaxLineLength - 1]) ? options.MaxLineLength - 1 : options.MaxLineLength;
}

/// <summary>
/// The newest lines of one job's output within a line and a byte limit, in a ring over an array that grows as lines
/// come. Dropped lines keep their numbers: <see cref="First"/> is the oldest kept, so readers resume from any line.
/// </summary>
internal sealed class LineRing(int maxLines, long maxBytes)
{
    private string[] _lines = [];
    private int _head;
    private int _count;
    private long _bytes;

    /// <summary>Lines written so far, dropped ones included: the number the next line gets.</summary>
    public long Written { get; private set; }

    /// <summary>The number of the oldest kept line: as many lines were dropped before it.</summary>
    public long First => Written - _count;

    public bool IsEmpty => _count == 0;

    public void Add(string line)
    {
        if (_count == maxLines)
        {
            DropOldest();
        }

        if (_count == _lines.Length)
        {
            Grow();
        }

        _lines[(_head + _count) % _lines.Length] = line;
        _count++;
        Written++;
        _bytes += Encoding.UTF8.GetByteCount(line);

        // The newest line always stays: MaxLineLength bounds it.
        while (_bytes > maxBytes && _count > 1)
        {
            DropOldest();
        }
    }

    /// <summary>
    /// Adds lines numbered by their writer: those kept or dropped already are ignored (a retried call), and a gap
    /// before them counts as dropped. Lines in a gap are newer than every kept line, so those go too.
    /// </summary>
    public void Append(JobLines lines)
    {
        if (lines.First > Written)
        {
            DiscardBefore(Written);
            Written = lines.First;
        }

        for (var i = (int)Math.Max(0, Written - lines.First); i < lines.Lines.Count; i++)
        {
            Add(lines.Lines[i]);
        }
    }

    /// <summary>The kept lines numbered <paramref name="from"/> or later.</summary>
    public JobLines Read(long from)
    {
        var start = Math.Clamp(from, First, Written);
        if (start == Written)
        {
            return new JobLines(start, []);
        }

        var lines = new string[Written - start];
        var offset = _head + (int)(start - First);
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = _lines[(offset + i) % _lines.Length];
        }

        return new JobLines(start, lines);
    }

    /// <summary>Lets go of the lines numbered below <paramref name="number"/>.</summary>
    public void DiscardBefore(long number)
    {
        while (_count > 0 && First < number)
        {
            DropOldest();
        }
    }

    private void DropOldest()
    {
        _bytes -= Encoding.UTF8.GetByteCount(_lines[_head]);
        _lines[_head] = null!;
        _head = (_head + 1) % _lines.Length;
        _count--;
    }

    private void Grow()
    {
        var capacity = Math.Min(Math.Max(4, _lines.Length * 2), maxLines);
        var lines = new string[capacity];
        for (var i = 0; i < _count; i++)
        {
            lines[i] = _lines[(_head + i) % _lines.Length];
        }

        (_lines, _head) = (lines, 0);
    }
}

/// <summary>
/// Where <see cref="Console"/> output of the current async flow goes: a running job's output, or the output of the
/// job a handler is about to start, so what the handler printed comes first. The flow's timers
/// and tasks inherit it; once disposed it sends them to stdout, and the job's output can be collected.
/// </summary>
internal sealed class OutputCapture : IDisposable
{
    private static readonly AsyncLocal<OutputCapture?> s_current = new();

    private JobOutput? _output;
    private int _claimable;

    private OutputCapture(JobOutput output, bool claimable, string? owner)
    {
        _output = output;
        _claimable = claimable ? 1 : 0;
        Owner = owner;
    }

    public static OutputCapture? Current => s_current.Value;

    /// <summary>Null once disposed.</summary>
    public JobOutput? Output => Volatile.Read(ref _output);

    /// <summary>The owner a job started from a handler's request is bound to.</summary>
    public string? Owner { get; }

    /// <summary>Routes Console output of this async flow, and of the tasks and timers it starts, until disposed.</summary>
    public static OutputCapture ForJob(JobOutput output) => Begin(new OutputCapture(output, claimable: false, owner: null));

    /// <summary>Captures a handler's output; the first job it starts takes it over.</summary>
    public static OutputCapture ForHandler(JobOutput output, string? owner) => Begin(new OutputCapture(output, claimable: true, owner));

    /// <summary>The handler's output for the first job it starts, once: two jobs started at once never share it.</summary>
    public JobOutput? TryClaim() => Interlocked.Exchange(ref _claimable, 0) == 1 ? Output : null;

    public void Unclaim() => Volatile.Write(ref _claimable, 1);

    public void Dispose() => Volatile.Write(ref _output, null);

    private static OutputCapture Begin(OutputCapture capture)
    {
        ConsoleRouter.Install();
        s_current.Value = capture;
        return capture;
    }
}

/// <summary>
/// The process's <see cref="Console.Out"/>: inside a job <c>Console.WriteLine</c> lands in that job's output;
/// everywhere else it reaches the real stdout.
/// </summary>
internal sealed class ConsoleRouter(TextWriter stdout) : TextWriter
{
    private static ConsoleRouter? s_installed;

    /// <summary>The real stdout, for what no job should receive.</summary>
    public static TextWriter Stdout => s_installed?.RealStdout ?? Console.Out;

    public TextWriter RealStdout => stdout;

    public override Encoding Encoding => stdout.Encoding;

    private static JobOutput? Target => OutputCapture.Current?.Output;

    public static void Install()
    {
        if (s_installed is null && Interlocked.CompareExchange(ref s_installed, new ConsoleRouter(new StandardOutput()), null) is null)
        {
            // Console wraps it in a synchronized writer, so writes from many jobs never interleave mid-line.
            Console.SetOut(s_installed);
        }
    }

    public override void Write(char value)
    {
        if (Target is { } output)
        {
            output.Write(new ReadOnlySpan<char>(in value));
        }
        else
        {
            stdout.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (Target is { } output)
        {
            output.Write(buffer);
        }
        else
        {
            stdout.Write(buffer);
        }
    }

    public override void WriteLine() => WriteLine(ReadOnlySpan<char>.Empty);

    public override void WriteLine(string? value) => WriteLine(value.AsSpan());

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        if (Target is { } output)
        {
            output.Write(buffer, endLine: true);
        }
        else
        {
            stdout.WriteLine(buffer);
        }
    }

    public override void Flush() => stdout.Flush();
}

/// <summary>
/// The process's stdout, each write under the lock of <see cref="Console.Out"/>, the one the runtime's console stream
/// takes for every write. Writing through the previous <c>Console.Out</c> instead would take its lock while holding
/// ours, and a console logger made before the router holds that one while it waits for ours: a deadlock.
/// </summary>
internal sealed class StandardOutput : TextWriter
{
    private readonly StreamWriter _stdout = new(
        Console.OpenStandardOutput(),
        Console.OutputEncoding is UTF8Encoding ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) : Console.OutputEncoding)
    {
        AutoFlush = true,
    };

    public override Encoding Encoding => _stdout.Encoding;

    public override void Write(char value)
    {
        lock (Console.Out)
        {
            _stdout.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (Console.Out)
        {
            _stdout.Write(buffer);
        }
    }

    public override void WriteLine() => WriteLine(ReadOnlySpan<char>.Empty);

    public override void WriteLine(string? value) => WriteLine(value.AsSpan());

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (Console.Out)
        {
            _stdout.WriteLine(buffer);
        }
    }

    public override void Flush()
    {
        lock (Console.Out)
        {
            _stdout.Flush();
        }
    }
}
