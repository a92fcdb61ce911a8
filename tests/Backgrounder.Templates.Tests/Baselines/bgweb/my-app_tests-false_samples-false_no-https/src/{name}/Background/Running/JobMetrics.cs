using System.Diagnostics.Metrics;

namespace my_app.Background;

/// <summary>
/// Job counters and gauges on a meter named after this namespace: watch them with <c>dotnet-counters monitor -n
/// &lt;process&gt; --counters my_app.Background</c>, or export them with OpenTelemetry's <c>AddMeter</c>.
/// Counters and the duration carry the job's name as the tag <c>job.name</c>.
/// </summary>
internal sealed class JobMetrics
{
    public static readonly string MeterName = typeof(JobMetrics).Namespace!;

    public const string NameTag = "job.name";

    private readonly Counter<long> _started;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _retried;
    private readonly Dictionary<JobState, Counter<long>> _finished;
    private readonly Histogram<double> _duration;
    private long _running;
    private long _retained;

    public JobMetrics(IMeterFactory meterFactory, JobQueue queue)
    {
        var meter = meterFactory.Create(MeterName);
        _started = meter.CreateCounter<long>("backgrounder.jobs.started", "{job}", "Jobs accepted into the queue.");
        _rejected = meter.CreateCounter<long>("backgrounder.jobs.rejected", "{job}", "Starts refused: the queue was full or the store unreachable.");
        _retried = meter.CreateCounter<long>("backgrounder.jobs.retried", "{job}", "Attempts after a job's first: retries of failed (or interrupted) jobs.");
        _finished = new()
        {
            [JobState.Succeeded] = meter.CreateCounter<long>("backgrounder.jobs.succeeded", "{job}", "Jobs that ran to completion."),
            [JobState.Failed] = meter.CreateCounter<long>("backgrounder.jobs.failed", "{job}", "Jobs that threw."),
            [JobState.Canceled] = meter.CreateCounter<long>("backgrounder.jobs.canceled", "{job}", "Jobs canceled by a request or by shutdown."),
            [JobState.Interrupted] = meter.CreateCounter<long>("backgrounder.jobs.interrupted", "{job}", "Jobs still running when shutdown gave up waiting."),
        };
        _duration = meter.CreateHistogram<double>("backgrounder.jobs.duration", "s", "From a run's start to its final state.");
        meter.CreateObservableGauge("backgrounder.jobs.queued", () => queue.Count, "{job}", "Jobs waiting for a worker on this node.");
        meter.CreateObservableGauge("backgrounder.jobs.running", () => Volatile.Read(ref _running), "{job}", "Jobs running on this node.");
        meter.CreateObservableGauge("backgrounder.jobs.retained", () => Volatile.Read(ref _retained), "{job}", "Jobs the store keeps, as of the last cleanup.");
    }

    public void Started(string name) => _started.Add(1, Tag(name));

    public void Rejected(string name) => _rejected.Add(1, Tag(name));

    public void Retried(string name) => _retried.Add(1, Tag(name));

    public void Running(int change) => Interlocked.Add(ref _running, change);

    public void Finished(JobState state, string name) => _finished.GetValueOrDefault(state)?.Add(1, Tag(name));

    public void Ran(TimeSpan duration, string name) => _duration.Record(duration.TotalSeconds, Tag(name));

    public void Retained(long count) => Volatile.Write(ref _retained, count);

    private static KeyValuePair<string, object?> Tag(string name) => new(NameTag, name);
}
