using System.Threading.Channels;
using my_app.Background;

namespace my_app.Tests;

/// <summary>A job the test drives step by step: each call is carried out by the running job, in order.</summary>
public sealed class ScriptedJob
{
    private readonly Channel<Action<JobContext>> _steps = Channel.CreateUnbounded<Action<JobContext>>();
    private readonly TaskCompletionSource<CancellationToken> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the job's token when it starts running; for a job that never runs, it times out.</summary>
    public Task<CancellationToken> Started => _started.Task.WaitAsync(JobWaiting.Timeout);

    public bool HasStarted => _started.Task.IsCompleted;

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        _started.TrySetResult(cancellationToken);
        await foreach (var step in _steps.Reader.ReadAllAsync(cancellationToken))
        {
            step(context);
        }
    }

    public void WriteLine(string line) => Then(context => context.WriteLine(line));

    public void ReportProgress(double fraction) => Then(context => context.ReportProgress(fraction));

    public void Fail(Exception exception) => Then(_ => throw exception);

    public void Finish() => _steps.Writer.TryComplete();

    public void Then(Action<JobContext> step) => Assert.True(_steps.Writer.TryWrite(step));
}
