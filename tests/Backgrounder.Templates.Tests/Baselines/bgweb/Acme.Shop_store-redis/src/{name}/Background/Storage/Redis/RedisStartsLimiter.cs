using System.Threading.RateLimiting;

namespace Acme.Shop.Background;

/// <summary>
/// The framework's rate limiter over <see cref="RedisStartCounter"/>, one per client: the rate limiter middleware
/// tries <see cref="AttemptAcquireCore"/> first and, refused there, waits for <see cref="AcquireAsyncCore"/>, which asks
/// Redis. Redis unavailable: a refusal that <see cref="JobRateLimits"/> answers 503 rather than 429.
/// </summary>
internal sealed class RedisStartsLimiter(RedisStartCounter counter, string client, int permitLimit, TimeProvider time) : RateLimiter
{
    /// <summary>On a refusal because Redis could not count: why, for the 503's body.</summary>
    public static readonly MetadataName<string> Unavailable = new("backgrounder.store-unavailable");

    private long _lastUsed = time.GetTimestamp();

    // Nothing is held here between starts (the count is in Redis), so an unused limiter may go at any time.
    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    // Only Redis can tell: "not acquired" here sends the middleware to AcquireAsyncCore.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        try
        {
            var (starts, windowLeft) = await counter.CountAsync(client);
            return starts <= permitLimit ? Lease.Acquired : new Lease(false, MetadataName.RetryAfter.Name, windowLeft);
        }
        catch (JobsUnavailableException unavailable)
        {
            return new Lease(false, Unavailable.Name, unavailable.Message);
        }
    }

    private sealed class Lease(bool isAcquired, string? metadataName = null, object? metadata = null) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true);

        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => metadataName is null ? [] : [metadataName];

        public override bool TryGetMetadata(string name, out object? value)
        {
            value = name == metadataName ? metadata : null;
            return value is not null;
        }
    }
}
