using System.Buffers;
using System.Globalization;
using System.Text;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>One <c>line</c> event as <c>JobEventStream</c> frames it, written straight into a buffer writer: no strings built.</summary>
public static class SseLineEvent
{
    public static void Write(IBufferWriter<byte> pipe, long sequence, string line)
    {
        pipe.Write("id: "u8);
        var digits = pipe.GetSpan(20);
        sequence.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        pipe.Advance(written);
        pipe.Write("\nevent: line\ndata: "u8);
        Encoding.UTF8.GetBytes(line, pipe);
        pipe.Write("\n\n"u8);
    }
}
