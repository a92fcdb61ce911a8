using System.Text.Json.Serialization;

namespace Acme.Shop.Background;

/// <summary>Where a job is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Its node stopped (shut down, or stopped responding) before the job did.</summary>
    Interrupted,
}
