using System.Text;

namespace Company.WebApplication1.Background;

/// <summary>
/// Where <see cref="Console"/> output goes in the current async flow: into a running job's output, or into
/// the output of the job a handler is about to start, so its <c>Started at …</c> lines come first, as in the seed.
/// </summary>
public sealed class OutputCapture : TextWriter
{
    private static readonly AsyncLocal<OutputCapture?> s_current = new();

    // Only for text written without its line end yet; whole lines never touch it.
    private StringBuilder? _partialLine;

    private OutputCapture(JobOutput output, JobId? owner)
    {
        Output = output;
        Owner = owner;
    }

    public static OutputCapture? Current => s_current.Value;

    public JobOutput Output { get; }

    /// <summary>The job this output belongs to; null while a handler has not started one yet.</summary>
    public JobId? Owner { get; private set; }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Routes Console output of this async flow (and the tasks it starts) until disposed.</summary>
    public static OutputCapture Begin(JobOutput output, JobId? owner = null)
    {
        JobConsoleRouter.Install();
        return s_current.Value = new OutputCapture(output, owner);
    }

    /// <summary>Hands a handler's output to the first job it starts; later jobs get outputs of their own.</summary>
    public bool TryClaim(JobId job)
    {
        if (Owner is not null)
        {
            return false;
        }

        Owner = job;
        return true;
    }

    public void Release(JobId job)
    {
        if (Owner == job)
        {
            Owner = null;
        }
    }

    public override void Write(char value)
    {
        if (value == '\n')
        {
            EndLine();
        }
        else
        {
            PartialLine.Append(value);
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        int newline;
        while ((newline = buffer.IndexOf('\n')) >= 0)
        {
            PartialLine.Append(buffer[..newline]);
            EndLine();
            buffer = buffer[(newline + 1)..];
        }

        if (!buffer.IsEmpty)
        {
            PartialLine.Append(buffer);
        }
    }

    public override void WriteLine(string? value)
    {
        // The common case, a whole line with nothing pending: kept as the very string given, no copy.
        if (value is not null && _partialLine is not { Length: > 0 } && !value.AsSpan().ContainsAny('\r', '\n'))
        {
            Output.WriteLine(value);
            return;
        }

        Write(value.AsSpan());
        EndLine();
    }

    protected override void Dispose(bool disposing)
    {
        if (_partialLine is { Length: > 0 })
        {
            EndLine();
        }

        if (s_current.Value == this)
        {
            s_current.Value = null;
        }

        base.Dispose(disposing);
    }

    private StringBuilder PartialLine => _partialLine ??= new StringBuilder();

    private void EndLine()
    {
        var line = PartialLine;
        if (line.Length > 0 && line[^1] == '\r')
        {
            line.Length--;
        }

        Output.WriteLine(line.ToString());
        line.Clear();
    }
}
