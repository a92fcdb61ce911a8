using System.IO.Pipelines;

namespace Backgrounder.Benchmarks.Polling;

/// <summary>
/// A response pipe that drops what it is given into one reused buffer, as Kestrel's pooled pipe costs a request
/// nothing to allocate; <see cref="DefaultHttpContext"/>'s own pipe would charge each call for building itself.
/// </summary>
public sealed class DiscardingPipeWriter : PipeWriter
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    public override void Advance(int bytes)
    {
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(0, Math.Max(sizeHint, _buffer.Length));

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(new FlushResult());
}
