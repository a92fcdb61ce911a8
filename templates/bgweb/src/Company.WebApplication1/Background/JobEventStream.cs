using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Company.WebApplication1.Background;

/// <summary>
/// <c>GET /jobs/{id}/events</c>: the job's output as server-sent events, pushed the moment a line is written
/// instead of the seed's F5 (or a poll every second). Each <c>line</c> event's id is the line's sequence number,
/// so a reconnecting <c>EventSource</c> resumes after <c>Last-Event-ID</c> with nothing lost or repeated.
/// A <c>state</c> event (the <see cref="JobStatus"/> as JSON) follows every status change; after the final one
/// the stream ends. Lines dropped before the resume point are announced by a <c>dropped</c> event.
/// </summary>
public sealed class JobEventStream(Job job, long from) : IResult
{
    /// <summary>Keeps idle proxies and load balancers from closing a stream that waits for a slow job.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // Proxies such as nginx would otherwise hold events back to fill a buffer.
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        // A stopping app ends its streams rather than wait for them: Kestrel does not abort requests on shutdown.
        var services = httpContext.RequestServices;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(
            httpContext.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var aborted = ended.Token;

        // Headers first: the pipe is written directly below, which a response must be started for.
        await response.StartAsync(aborted);
        using var heartbeat = new PeriodicTimer(HeartbeatInterval, services.GetRequiredService<TimeProvider>());
        Task<bool>? tick = null;
        var next = from;
        JobStatus? sentStatus = null;
        try
        {
            while (true)
            {
                // Each client pulls from the job's output at its own pace: the job never waits for a slow one.
                var changed = job.Changed.Next();

                // The status before the lines: a final state goes out only after every line the job wrote.
                var status = job.Status;
                var page = job.Output.Read(next);

                // Events go straight into the response pipe: no text is built, so a line costs no allocation here.
                var pipe = response.BodyWriter;
                var wrote = page.FirstSequence > next || page.Lines.Count > 0 || !ReferenceEquals(status, sentStatus);
                if (page.FirstSequence > next)
                {
                    pipe.Write("event: dropped\n"u8);
                    WriteData(pipe, (page.FirstSequence - next).ToString(CultureInfo.InvariantCulture));
                }

                for (var i = 0; i < page.Lines.Count; i++)
                {
                    pipe.Write("id: "u8);
                    WriteNumber(pipe, page.FirstSequence + i);
                    pipe.Write("\nevent: line\n"u8);
                    WriteData(pipe, page.Lines[i]);
                }

                // Never backwards: a Last-Event-ID past the end waits for that line rather than repeat earlier ones.
                next = Math.Max(next, page.FirstSequence + page.Lines.Count);
                if (!ReferenceEquals(status, sentStatus))
                {
                    pipe.Write("event: state\n"u8);
                    WriteData(pipe, JsonSerializer.Serialize(status, JsonSerializerOptions.Web));
                    sentStatus = status;
                }

                // One flush per batch: each event is on the wire as soon as it was read, without a flush per line.
                if (wrote)
                {
                    await pipe.FlushAsync(aborted);
                }

                if (status.IsFinished)
                {
                    return;
                }

                tick ??= heartbeat.WaitForNextTickAsync(aborted).AsTask();
                if (await Task.WhenAny(changed, tick) == tick)
                {
                    // Throws once the client has gone.
                    await tick;
                    tick = null;
                    response.BodyWriter.Write(": heartbeat\n\n"u8);
                    await response.BodyWriter.FlushAsync(aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the app is stopping; EventSource reconnects with Last-Event-ID if it can.
        }
    }

    /// <summary>One <c>data:</c> field per line of <paramref name="text"/>: a line break inside a job's line cannot end the event early or forge another.</summary>
    private static void WriteData(IBufferWriter<byte> pipe, ReadOnlySpan<char> text)
    {
        while (true)
        {
            var end = text.IndexOfAny('\r', '\n');
            pipe.Write("data: "u8);
            Encoding.UTF8.GetBytes(end < 0 ? text : text[..end], pipe);
            if (end < 0)
            {
                pipe.Write("\n\n"u8);
                return;
            }

            pipe.Write("\n"u8);
            var crlf = text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n';
            text = text[(end + (crlf ? 2 : 1))..];
        }
    }

    private static void WriteNumber(IBufferWriter<byte> pipe, long value)
    {
        var span = pipe.GetSpan(20);
        value.TryFormat(span, out var written, provider: CultureInfo.InvariantCulture);
        pipe.Advance(written);
    }
}
