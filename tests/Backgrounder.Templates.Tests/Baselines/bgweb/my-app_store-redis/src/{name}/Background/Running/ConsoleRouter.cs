using System.Text;

namespace my_app.Background;

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
