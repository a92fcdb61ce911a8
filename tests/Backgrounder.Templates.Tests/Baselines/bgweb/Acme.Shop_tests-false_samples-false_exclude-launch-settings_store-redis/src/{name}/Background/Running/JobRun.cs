namespace Acme.Shop.Background;

/// <summary>What only the node that runs a job has: its work, its cancellation, its output on the way to the store.</summary>
internal sealed class JobRun(JobId id, string name, JobWork work, JobOutput output)
{
    public JobId Id => id;

    public string Name => name;

    public JobWork Work => work;

    public JobOutput Output => output;

    // Never disposed: it has no timer and no parent, and a late cancel must not meet a disposed source.
    public CancellationTokenSource Cancellation { get; } = new();
}
