using System.Diagnostics.Metrics;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>
/// Counts the jobs of one host that reach a final state, from the app's own counters (<c>backgrounder.jobs.succeeded</c>,
/// <c>.failed</c>, <c>.canceled</c>, <c>.interrupted</c>), which the workers add to once the store has the final state:
/// one callback per job, the counterpart of the raw channel's <c>Interlocked.Decrement</c> and of Hangfire's state filter.
/// </summary>
public sealed class JobCompletions : IDisposable
{
    private static readonly string[] FinalStateCounters =
        ["backgrounder.jobs.succeeded", "backgrounder.jobs.failed", "backgrounder.jobs.canceled", "backgrounder.jobs.interrupted"];

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private long _finished;
    private long _target = long.MaxValue;
    private TaskCompletionSource? _reached;

    public JobCompletions(IServiceProvider services)
    {
        // Only this host's meter: each host has its own IMeterFactory, and hosts of earlier iterations may linger.
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == JobMetrics.MeterName && FinalStateCounters.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, _, state) => ((JobCompletions)state!).Add(value));
        _listener.Start();
    }

    /// <summary>Jobs finished since this listener started.</summary>
    public long Count => Interlocked.Read(ref _finished);

    /// <summary>Completes once <paramref name="count"/> jobs in all have finished. One waiter at a time.</summary>
    public Task WhenCount(long count)
    {
        lock (_gate)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _reached = reached;

            // A full fence, as in Add: either that completion sees this target, or this check sees its count.
            Interlocked.Exchange(ref _target, count);
            if (Count >= count)
            {
                _target = long.MaxValue;
                reached.TrySetResult();
            }

            return reached.Task;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(long jobs)
    {
        if (Interlocked.Add(ref _finished, jobs) < Volatile.Read(ref _target))
        {
            return;
        }

        lock (_gate)
        {
            if (Count >= _target)
            {
                _reached?.TrySetResult();
                _target = long.MaxValue;
            }
        }
    }
}
