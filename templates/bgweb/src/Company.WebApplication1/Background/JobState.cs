using System.Text.Json.Serialization;

namespace Company.WebApplication1.Background;

/// <summary>Where a job is in its life. The seed had none: a thread was either in threaddb or not.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Still running when the app shut down and did not stop in time.</summary>
    Interrupted,
}
