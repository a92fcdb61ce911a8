using System.Threading.Channels;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// The practical limit: a bounded <see cref="Channel{T}"/> of <c>Func&lt;Task&gt;</c> read by a fixed number of
/// workers, with no ids, states, registry or output capture. Ten-line jobs append to a list of their own.
/// </summary>
public sealed class RawChannelPool : IDisposable
{
    private readonly Channel<Func<Task>> _channel;
    private readonly Task[] _workers;
    private readonly Func<Task> _noOp = static () => Task.CompletedTask;
    private TaskCompletionSource _allDone = new();
    private int _remaining;

    public RawChannelPool(int workers, int capacity)
    {
        _channel = Channel.CreateBounded<Func<Task>>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        _workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync))];
    }

    public async Task RunAsync(int jobs, int linesPerJob)
    {
        _remaining = jobs;
        _allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outputs = new List<string>[jobs];
        for (var i = 0; i < jobs; i++)
        {
            var work = linesPerJob == 0 ? _noOp : WriteLines(outputs, i);
            if (!_channel.Writer.TryWrite(work))
            {
                await _channel.Writer.WriteAsync(work);
            }
        }

        await _allDone.Task;
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        Task.WaitAll(_workers);
    }

    private static Func<Task> WriteLines(List<string>[] outputs, int job) => () =>
    {
        var lines = outputs[job] = new List<string>();
        foreach (var line in SampleLines.Ten)
        {
            lines.Add(line);
        }

        return Task.CompletedTask;
    };

    private async Task WorkAsync()
    {
        await foreach (var work in _channel.Reader.ReadAllAsync())
        {
            await work();
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _allDone.TrySetResult();
            }
        }
    }
}
