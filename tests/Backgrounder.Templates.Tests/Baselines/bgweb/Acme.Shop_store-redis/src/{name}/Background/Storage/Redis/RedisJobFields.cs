using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>How a job's record is written in its Redis hash: times as UTC ticks, numbers in the invariant culture.</summary>
internal static class RedisJobFields
{
    public static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var ticks) ? new DateTimeOffset(long.Parse(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero) : null;

    /// <summary>
    /// The record as the job hash's fields, name and value in turn: what a create writes, and what a node writes back
    /// when Redis forgot a job it holds. A field added to <see cref="JobStatus"/> is added here and in
    /// <see cref="ToStatus"/>, and both ways follow.
    /// </summary>
    public static RedisValue[] ToFields(JobStatus job) =>
    [
        "state", job.State.ToString(),
        "created", Ticks(job.CreatedAt),
        .. job.StartedAt is { } started ? new RedisValue[] { "started", Ticks(started) } : [],
        .. job.Progress is { } progress ? new RedisValue[] { "progress", progress.ToString("R", CultureInfo.InvariantCulture) } : [],
        .. job.Error is { } error ? new RedisValue[] { "error", error } : [],
        "cancel", job.CancelRequested ? 1 : 0,
        "node", job.Node ?? "",
        "owner", job.Owner ?? "",
        "name", job.Name,
        "kind", job.Kind.ToString(),
        "args", job.Arguments?.GetRawText() ?? "",
        "repeats", job.Repeats?.ToString() ?? "",
        "traceparent", job.TraceParent ?? "",
        .. job.RunAt is { } runAt ? new RedisValue[] { "runat", runAt.ToUnixTimeMilliseconds() } : [],
        "attempt", job.Attempt,
        .. job.Retry is { } retry
            ? new RedisValue[]
            {
                "retries", retry.Attempts,
                "backoff", retry.Backoff.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture),
                "maxbackoff", retry.MaxBackoff.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture),
                "oninterrupted", retry.OnInterrupted ? 1 : 0,
            }
            : [],
        "lines", job.LineCount,
        "dropped", job.Dropped,
        "bytes", 0,
    ];

    /// <summary>The job hash's fields (<c>HGETALL job:{id}</c>) as the record clients see.</summary>
    public static JobStatus ToStatus(JobId id, Dictionary<string, string> fields) =>
        new(
            id,
            Enum.Parse<JobState>(fields["state"]),
            Time(fields, "created")!.Value,
            Time(fields, "started"),
            Time(fields, "finished"),
            fields.TryGetValue("progress", out var progress) ? double.Parse(progress, CultureInfo.InvariantCulture) : null,
            fields.GetValueOrDefault("error"),
            fields.GetValueOrDefault("cancel") == "1",
            fields.GetValueOrDefault("node") is { Length: > 0 } node ? node : null,
            long.Parse(fields["lines"], CultureInfo.InvariantCulture),
            long.Parse(fields["dropped"], CultureInfo.InvariantCulture))
        {
            Name = fields.GetValueOrDefault("name") ?? JobStatus.DefaultName,
            Kind = Enum.TryParse<JobKind>(fields.GetValueOrDefault("kind"), out var kind) ? kind : JobKind.Delegate,
            Arguments = fields.GetValueOrDefault("args") is { Length: > 0 } arguments ? JsonElement.Parse(arguments) : null,
            Owner = fields.GetValueOrDefault("owner") is { Length: > 0 } owner ? owner : null,
            Repeats = JobId.TryParse(fields.GetValueOrDefault("repeats"), out var repeats) ? repeats : null,
            TraceParent = fields.GetValueOrDefault("traceparent") is { Length: > 0 } traceParent ? traceParent : null,
            RunAt = fields.TryGetValue("runat", out var runAt) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(runAt, CultureInfo.InvariantCulture)) : null,
            Attempt = fields.TryGetValue("attempt", out var attempt) ? int.Parse(attempt, CultureInfo.InvariantCulture) : 1,
            Retry = fields.TryGetValue("retries", out var retries)
                ? new RetryPolicy(
                    int.Parse(retries, CultureInfo.InvariantCulture),
                    Milliseconds(fields["backoff"]),
                    Milliseconds(fields["maxbackoff"]),
                    fields.GetValueOrDefault("oninterrupted") == "1")
                : null,
        };

    private static TimeSpan Milliseconds(string value) => TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture));
}
