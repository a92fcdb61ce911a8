using System.Buffers.Text;
using System.Diagnostics;

namespace Backgrounder.Benchmarks.Sse;

/// <summary>
/// An SSE client that follows one stream over loopback and counts the <c>id: N</c> lines (telling
/// <c>onId(N, arrival timestamp)</c> when asked), reading into one reused buffer and parsing bytes in place,
/// so following costs the process next to nothing of its own.
/// </summary>
public sealed class SseFollower(HttpClient client, Uri url, Action<long, long>? onId = null)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly byte[] _buffer = new byte[64 * 1024];

    // Only a line's start matters ("id: 123456"); longer lines are cut here.
    private readonly byte[] _line = new byte[32];
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lineLength;

    /// <summary>Completes at the stream's first bytes: the server has registered this follower.</summary>
    public Task Connected => _connected.Task;

    public long IdsReceived { get; private set; }

    /// <summary>Reads until the server ends the stream; bounded by a timeout, loopback only.</summary>
    public async Task FollowAsync()
    {
        if (!url.IsLoopback)
        {
            throw new ArgumentException($"Followers connect to loopback only, not {url}.");
        }

        using var timeout = new CancellationTokenSource(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);

        int read;
        while ((read = await body.ReadAsync(_buffer, timeout.Token)) > 0)
        {
            var arrivedAt = Stopwatch.GetTimestamp();
            _connected.TrySetResult();
            Scan(_buffer.AsSpan(0, read), arrivedAt);
        }

        _connected.TrySetException(new InvalidOperationException($"{url} ended without sending anything."));
    }

    private void Scan(ReadOnlySpan<byte> bytes, long arrivedAt)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end < 0 ? bytes : bytes[..end];
            var room = Math.Min(part.Length, _line.Length - _lineLength);
            part[..room].CopyTo(_line.AsSpan(_lineLength));
            _lineLength += room;
            if (end < 0)
            {
                return;
            }

            OnLine(_line.AsSpan(0, _lineLength), arrivedAt);
            _lineLength = 0;
            bytes = bytes[(end + 1)..];
        }
    }

    private void OnLine(ReadOnlySpan<byte> line, long arrivedAt)
    {
        if (!line.StartsWith("id: "u8) || !Utf8Parser.TryParse(line[4..], out long id, out _))
        {
            return;
        }

        IdsReceived++;
        onId?.Invoke(id, arrivedAt);
    }
}
