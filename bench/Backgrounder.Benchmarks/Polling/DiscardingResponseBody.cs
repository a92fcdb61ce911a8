using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Backgrounder.Benchmarks.Polling;

/// <summary>A response body that discards everything, through a stream or a pipe, allocating nothing per request.</summary>
public sealed class DiscardingResponseBody : IHttpResponseBodyFeature
{
    public Stream Stream => Stream.Null;

    public PipeWriter Writer { get; } = new DiscardingPipeWriter();

    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task CompleteAsync() => Task.CompletedTask;
}
