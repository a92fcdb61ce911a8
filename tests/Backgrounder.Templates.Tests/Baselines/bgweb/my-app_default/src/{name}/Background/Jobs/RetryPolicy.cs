using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;

namespace my_app.Background;

/// <summary>A job class's <see cref="RetryAttribute"/>, read and checked: how many attempts after the first, and how far apart.</summary>
public sealed record RetryPolicy(int Attempts, TimeSpan Backoff, TimeSpan MaxBackoff, bool OnInterrupted)
{
    public const string DefaultBackoff = "00:00:10";

    public const string DefaultMaxBackoff = "00:10:00";

    private const double Jitter = 0.2;

    /// <summary>All attempts, the first included.</summary>
    [JsonIgnore]
    public int MaxAttempts => Attempts + 1;

    /// <summary>The class's policy, or null without <see cref="RetryAttribute"/>.</summary>
    /// <exception cref="InvalidOperationException">The attribute's values are not valid; the message names the job.</exception>
    internal static RetryPolicy? Of(Type jobType, string jobName)
    {
        if (jobType.GetCustomAttribute<RetryAttribute>() is not { } retry)
        {
            return null;
        }

        if (retry.Attempts < 0)
        {
            throw new InvalidOperationException($"Job {jobName}: [Retry({retry.Attempts})] must give 0 or more attempts after the first.");
        }

        var backoff = Duration(jobName, nameof(RetryAttribute.Backoff), retry.Backoff);
        var maxBackoff = Duration(jobName, nameof(RetryAttribute.MaxBackoff), retry.MaxBackoff);
        if (maxBackoff < backoff)
        {
            throw new InvalidOperationException($"Job {jobName}: [Retry] MaxBackoff ({retry.MaxBackoff}) is shorter than Backoff ({retry.Backoff}).");
        }

        return new RetryPolicy(retry.Attempts, backoff, maxBackoff, retry.OnInterrupted);
    }

    /// <summary>
    /// The wait after attempt <paramref name="failed"/> (1 for the first): <see cref="Backoff"/>, doubling with each
    /// attempt, times <paramref name="jitter"/> (from 0 to 1, for −20 % to +20 %), never beyond <see cref="MaxBackoff"/>.
    /// </summary>
    public TimeSpan DelayAfter(int failed, double jitter)
    {
        // Past 2^30 the doubling has long reached any MaxBackoff a TimeSpan can hold.
        var doubled = Backoff.TotalMilliseconds * Math.Pow(2, Math.Min(failed - 1, 30));
        var jittered = doubled * (1 - Jitter + (2 * Jitter * jitter));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxBackoff.TotalMilliseconds));
    }

    private static TimeSpan Duration(string jobName, string property, string value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new InvalidOperationException(
                $"Job {jobName}: [Retry] {property} = \"{value}\" is not a positive TimeSpan such as \"00:00:10\".");
}
