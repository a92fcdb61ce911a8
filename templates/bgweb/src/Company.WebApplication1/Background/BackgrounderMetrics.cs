using System.Diagnostics.Metrics;

namespace Company.WebApplication1.Background;

/// <summary>
/// Job counters and gauges on a meter named after this namespace. Watch them live with
/// <c>dotnet-counters monitor -n &lt;process&gt; --counters Company.WebApplication1.Background</c>, or export them
/// with OpenTelemetry's <c>AddMeter(BackgrounderMetrics.MeterName)</c>. The seed had no way to see its threads at all.
/// </summary>
public sealed class BackgrounderMetrics
{
    public static readonly string MeterName = typeof(BackgrounderMetrics).Namespace!;

    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _canceled;
    private readonly Counter<long> _interrupted;
    private readonly Counter<long> _rejected;
    private long _running;

    public BackgrounderMetrics(IMeterFactory meterFactory, JobQueue queue, IJobStore store)
    {
        var meter = meterFactory.Create(MeterName);
        _started = meter.CreateCounter<long>("backgrounder.jobs.started", "{job}", "Jobs accepted into the queue.");
        _succeeded = meter.CreateCounter<long>("backgrounder.jobs.succeeded", "{job}", "Jobs that ran to completion.");
        _failed = meter.CreateCounter<long>("backgrounder.jobs.failed", "{job}", "Jobs that threw.");
        _canceled = meter.CreateCounter<long>("backgrounder.jobs.canceled", "{job}", "Jobs canceled by a request or by shutdown.");
        _interrupted = meter.CreateCounter<long>("backgrounder.jobs.interrupted", "{job}", "Jobs still running when shutdown gave up waiting.");
        _rejected = meter.CreateCounter<long>("backgrounder.jobs.rejected", "{job}", "Starts refused because the queue was full.");
        meter.CreateObservableGauge("backgrounder.jobs.queued", () => queue.Count, "{job}", "Jobs waiting for a worker.");
        meter.CreateObservableGauge("backgrounder.jobs.running", () => Volatile.Read(ref _running), "{job}", "Jobs running now.");
        meter.CreateObservableGauge("backgrounder.jobs.retained", () => store.Count, "{job}", "Jobs the registry remembers.");
    }

    public void Started() => _started.Add(1);

    public void Rejected() => _rejected.Add(1);

    public void Running() => Interlocked.Increment(ref _running);

    /// <summary>Counts a job's final state; a job that had started is no longer running.</summary>
    public void Finished(JobStatus status)
    {
        if (status.StartedAt is not null)
        {
            Interlocked.Decrement(ref _running);
        }

        var counter = status.State switch
        {
            JobState.Succeeded => _succeeded,
            JobState.Failed => _failed,
            JobState.Canceled => _canceled,
            JobState.Interrupted => _interrupted,
            _ => null,
        };
        counter?.Add(1);
    }
}
