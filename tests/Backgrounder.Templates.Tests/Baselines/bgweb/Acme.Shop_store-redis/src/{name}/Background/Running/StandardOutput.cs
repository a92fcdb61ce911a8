using System.Text;

namespace Acme.Shop.Background;

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
