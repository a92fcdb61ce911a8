namespace Backgrounder.Benchmarks.Hosting;

/// <summary>Holds a job at its start until the measure is ready (its followers connected), then lets it go.</summary>
public sealed class Gate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _opened.Task;

    public void Open() => _opened.TrySetResult();
}
