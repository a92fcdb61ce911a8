using System.Text;

namespace Company.WebApplication1.Background;

/// <summary>
/// The process-wide <see cref="Console.Out"/>: inside a job, <c>Console.WriteLine</c> lands in that job's
/// output, as <c>print</c> did in the seed; everywhere else it still reaches the real stdout.
/// </summary>
public sealed class JobConsoleRouter(TextWriter stdout) : TextWriter
{
    private static int s_installed;

    public override Encoding Encoding => stdout.Encoding;

    private TextWriter Target => OutputCapture.Current ?? stdout;

    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            // Console.SetOut wraps the router in a synchronized writer, so partial lines never interleave.
            Console.SetOut(new JobConsoleRouter(Console.Out));
        }
    }

    public override void Write(char value) => Target.Write(value);

    public override void Write(string? value) => Target.Write(value);

    public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);

    public override void WriteLine(string? value) => Target.WriteLine(value);

    public override void WriteLine() => Target.WriteLine();

    public override void Flush() => Target.Flush();
}
