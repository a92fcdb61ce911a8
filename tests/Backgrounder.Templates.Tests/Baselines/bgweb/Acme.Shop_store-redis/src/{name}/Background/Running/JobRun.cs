using System.Diagnostics;

namespace Acme.Shop.Background;

/// <summary>What only the node that runs a job has: its work, its cancellation, its output on the way to the store.</summary>
internal sealed class JobRun(
    JobId id, string name, JobWork work, JobOutput output, string? traceParent, int attempt = 1, RetryPolicy? retry = null, bool claimed = false)
{
    private Activity? _activity;

    public JobId Id => id;

    public string Name => name;

    public JobWork Work => work;

    public JobOutput Output => output;

    /// <summary>Whether it came from the schedule (a delayed job, a next attempt): then another node may run it instead.</summary>
    public bool Claimed => claimed;

    /// <summary>Which attempt this run is: 1 for the first.</summary>
    public int Attempt => attempt;

    /// <summary>Its class's retry policy, as its record keeps it; null when a failure is final.</summary>
    public RetryPolicy? Retry => retry;

    /// <summary>The record's <see cref="JobStatus.TraceParent"/>: the node that records a job is the node that runs it.</summary>
    public string? TraceParent => traceParent;

    /// <summary>The run's activity (null when nobody listens): its worker ends it, or shutdown, for a run it gives up on.</summary>
    public Activity? Activity
    {
        get => Volatile.Read(ref _activity);
        set => Volatile.Write(ref _activity, value);
    }

    // Never disposed: it has no timer and no parent, and a late cancel must not meet a disposed source.
    public CancellationTokenSource Cancellation { get; } = new();
}
