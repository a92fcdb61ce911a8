namespace Acme.Shop.Background;

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

    private OutputCapture(JobOutput output, bool claimable)
    {
        _output = output;
        _claimable = claimable ? 1 : 0;
    }

    public static OutputCapture? Current => s_current.Value;

    /// <summary>Null once disposed.</summary>
    public JobOutput? Output => Volatile.Read(ref _output);

    /// <summary>Routes Console output of this async flow, and of the tasks and timers it starts, until disposed.</summary>
    public static OutputCapture ForJob(JobOutput output) => Begin(new OutputCapture(output, claimable: false));

    /// <summary>Captures a handler's output; the first job it starts takes it over.</summary>
    public static OutputCapture ForHandler(JobOutput output) => Begin(new OutputCapture(output, claimable: true));

    /// <summary>The handler's output for the first job it starts, once: two jobs started at once never share it.</summary>
    public JobOutput? TryClaim() => Interlocked.Exchange(ref _claimable, 0) == 1 ? Output : null;

    public void Unclaim() => Volatile.Write(ref _claimable, 1);

    /// <summary>
    /// The first job the handler scheduled, when it started none: the request answers 303 to it all the same. What the
    /// handler printed is not that job's (it may run on another node, once due): it goes to stdout.
    /// </summary>
    public JobId? ScheduledJob { get; private set; }

    public void Scheduled(JobId id) => ScheduledJob ??= id;

    public void Dispose() => Volatile.Write(ref _output, null);

    private static OutputCapture Begin(OutputCapture capture)
    {
        ConsoleRouter.Install();
        s_current.Value = capture;
        return capture;
    }
}
