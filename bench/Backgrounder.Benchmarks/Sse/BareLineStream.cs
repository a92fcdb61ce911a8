using System.Buffers;
using System.Threading.Channels;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>
/// The practical limit for live output over SSE: lines go through a <see cref="Channel{T}"/> straight into the
/// response pipe as <c>id:</c>/<c>event: line</c>/<c>data:</c> events, one flush per batch, and nothing else
/// (no job, no store, no bound, no resume, no state events). The baseline for the measures of <c>GET /jobs/{id}/events</c>.
/// </summary>
public sealed class BareLineStream
{
    private Channel<string> _lines = NewFeed();

    public void WriteLine(string line) => _lines.Writer.TryWrite(line);

    /// <summary>Ends the stream its client follows; the next client gets a new, empty one.</summary>
    public void Complete()
    {
        _lines.Writer.TryComplete();
        _lines = NewFeed();
    }

    public async Task StreamAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // A comment first, so the client knows it is connected before any line exists.
        var pipe = response.BodyWriter;
        pipe.Write(": open\n\n"u8);
        await pipe.FlushAsync(context.RequestAborted);

        var sequence = 0L;
        var reader = Volatile.Read(ref _lines).Reader;
        while (await reader.WaitToReadAsync(context.RequestAborted))
        {
            while (reader.TryRead(out var line))
            {
                SseLineEvent.Write(pipe, sequence++, line);
            }

            await pipe.FlushAsync(context.RequestAborted);
        }
    }

    private static Channel<string> NewFeed() =>
        Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
}
