using System.Net;
using System.Text;
using System.Text.Json;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>One server-sent event as an EventSource sees it.</summary>
public sealed record ServerSentEvent(string? Id, string Type, string Data);

/// <summary>Reads <c>/jobs/{id}/events</c> as an EventSource would, over a real connection.</summary>
public static class EventStreamClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The events until the stream ends, or until <paramref name="enough"/> says so (then the stream is dropped).</summary>
    public static async Task<List<ServerSentEvent>> ReadAsync(HttpClient client, string url, string? lastEventId = null, Func<List<ServerSentEvent>, bool>? enough = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        var events = new List<ServerSentEvent>();
        string? id = null;
        var type = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length > 0)
            {
                var colon = line.IndexOf(':');
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": type = value; break;
                    case "data": data.Add(value); break;
                }

                continue;
            }

            events.Add(new ServerSentEvent(id, type, string.Join('\n', data)));
            (id, type) = (null, "message");
            data.Clear();
            if (enough?.Invoke(events) == true)
            {
                break;
            }
        }

        return events;
    }

    public static IEnumerable<ServerSentEvent> Lines(this IEnumerable<ServerSentEvent> events) => events.Where(e => e.Type == "line");

    /// <summary>A <c>state</c> event's job record (it must be one).</summary>
    public static JsonElement State(this ServerSentEvent e)
    {
        Assert.Equal("state", e.Type);
        return JsonDocument.Parse(e.Data).RootElement;
    }
}
