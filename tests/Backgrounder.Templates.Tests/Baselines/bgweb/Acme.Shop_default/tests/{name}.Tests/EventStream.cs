using System.Text;

namespace Acme.Shop.Tests;

/// <summary>A <c>text/event-stream</c> response read event by event, each read bounded by the generous test timeout.</summary>
public sealed class EventStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream; returns once the response headers are in, as an EventSource would.</summary>
    public static async Task<EventStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(JobWaiting.Timeout);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return new EventStream(response, await response.Content.ReadAsStreamAsync(timeout.Token));
    }

    /// <summary>The next event's lines as sent, without the blank line that ends it; null at the end of the stream.</summary>
    public async Task<IReadOnlyList<string>?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(JobWaiting.Timeout);
        var lines = new List<string>();
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                return lines;
            }

            lines.Add(line);
        }

        Assert.Empty(lines);
        return null;
    }

    /// <summary>The next event, parsed as EventSource does; null at the end of the stream.</summary>
    public async Task<ServerSentEvent?> ReadAsync()
    {
        if (await ReadFrameAsync() is not { } lines)
        {
            return null;
        }

        string? id = null;
        long? retry = null;
        var type = "message";
        var data = new List<string>();
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..]);
            value = value.StartsWith(' ') ? value[1..] : value;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                case "retry":
                    retry = long.Parse(value);
                    break;
            }
        }

        return new ServerSentEvent(id, type, string.Join('\n', data), retry);
    }

    /// <summary>Reads up to and including the first event of <paramref name="type"/>.</summary>
    public async Task<List<ServerSentEvent>> ReadThroughAsync(string type)
    {
        var events = new List<ServerSentEvent>();
        while (await ReadAsync() is { } next)
        {
            events.Add(next);
            if (next.Type == type)
            {
                return events;
            }
        }

        throw new InvalidOperationException($"The stream ended before a '{type}' event: {string.Join(", ", events)}");
    }

    public async Task<List<ServerSentEvent>> ReadToEndAsync()
    {
        var events = new List<ServerSentEvent>();
        while (await ReadAsync() is { } next)
        {
            events.Add(next);
        }

        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
