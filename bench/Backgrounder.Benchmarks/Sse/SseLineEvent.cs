using System.Buffers;
using System.Globalization;
using System.Text;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>
/// One <c>line</c> event framed as the framework's <c>SseFormatter</c> frames the app's (<c>event:</c>, <c>data:</c>,
/// <c>id:</c>), written straight into a buffer writer: no strings built.
/// </summary>
public static class SseLineEvent
{
    public static void Write(IBufferWriter<byte> pipe, long sequence, string line)
    {
        pipe.Write("event: line\ndata: "u8);
        Encoding.UTF8.GetBytes(line, pipe);
        pipe.Write("\nid: "u8);
        var digits = pipe.GetSpan(20);
        sequence.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        pipe.Advance(written);
        pipe.Write("\n\n"u8);
    }
}
