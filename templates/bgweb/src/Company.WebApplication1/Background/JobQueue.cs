using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>Jobs waiting for a worker: a bounded channel, so a flood of requests cannot queue without limit.</summary>
public sealed class JobQueue(IOptions<BackgrounderOptions> options)
{
    private readonly Channel<Job> _channel = Channel.CreateBounded<Job>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });

    public int Count => _channel.Reader.Count;

    /// <summary>False when the queue is full; never waits for room.</summary>
    public bool TryEnqueue(Job job) => _channel.Writer.TryWrite(job);

    /// <summary>Takes a waiting job without waiting; shutdown uses it to cancel what never started.</summary>
    public bool TryDequeue(out Job job) => _channel.Reader.TryRead(out job!);

    public IAsyncEnumerable<Job> DequeueAllAsync(CancellationToken cancellationToken) =>
        _channel.Reader.ReadAllAsync(cancellationToken);
}
