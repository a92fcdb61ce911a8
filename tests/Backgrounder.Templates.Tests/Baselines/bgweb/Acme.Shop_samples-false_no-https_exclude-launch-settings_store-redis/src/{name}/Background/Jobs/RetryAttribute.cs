namespace Acme.Shop.Background;

/// <summary>
/// Runs a job class again when it fails: <c>[Retry(3)]</c> gives it 3 attempts after the first, the next one
/// <see cref="Backoff"/> after a failure, doubling each time, ±20 % jitter, never more than <see cref="MaxBackoff"/>.
/// Between attempts the job is <see cref="JobState.Scheduled"/>, and any node that registered its class runs the next.
/// A job whose node stopped under it (<see cref="JobState.Interrupted"/>) runs again only with
/// <see cref="OnInterrupted"/>: the default is at most once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RetryAttribute(int attempts) : Attribute
{
    /// <summary>Attempts after the first.</summary>
    public int Attempts { get; } = attempts;

    /// <summary>The delay after the first failure, as a TimeSpan string (an attribute cannot hold a TimeSpan).</summary>
    public string Backoff { get; set; } = RetryPolicy.DefaultBackoff;

    /// <summary>The longest delay, as a TimeSpan string.</summary>
    public string MaxBackoff { get; set; } = RetryPolicy.DefaultMaxBackoff;

    /// <summary>Also run it again when its node stopped while it ran: only for work that is safe to do twice.</summary>
    public bool OnInterrupted { get; set; }
}
