using System.Globalization;
using System.Text.Json;

namespace Acme.Shop.Background;

/// <summary>How a job's record is written in its Redis hash: times as UTC ticks, numbers in the invariant culture.</summary>
internal static class RedisJobFields
{
    public static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var ticks) ? new DateTimeOffset(long.Parse(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero) : null;

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
            fields.GetValueOrDefault("node"),
            long.Parse(fields["lines"], CultureInfo.InvariantCulture),
            long.Parse(fields["dropped"], CultureInfo.InvariantCulture))
        {
            Name = fields.GetValueOrDefault("name") ?? JobStatus.DefaultName,
            Kind = Enum.TryParse<JobKind>(fields.GetValueOrDefault("kind"), out var kind) ? kind : JobKind.Delegate,
            Arguments = fields.GetValueOrDefault("args") is { Length: > 0 } arguments ? JsonElement.Parse(arguments) : null,
            Owner = fields.GetValueOrDefault("owner") is { Length: > 0 } owner ? owner : null,
            Repeats = JobId.TryParse(fields.GetValueOrDefault("repeats"), out var repeats) ? repeats : null,
            TraceParent = fields.GetValueOrDefault("traceparent") is { Length: > 0 } traceParent ? traceParent : null,
        };
}
