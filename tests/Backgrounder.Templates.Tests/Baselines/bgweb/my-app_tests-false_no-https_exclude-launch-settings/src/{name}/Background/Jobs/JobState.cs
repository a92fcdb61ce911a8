using System.Text.Json.Serialization;

namespace my_app.Background;

/// <summary>Where a job is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Waiting for its time (<see cref="JobStatus.RunAt"/>): a delayed job, or a retried one between attempts.</summary>
    Scheduled,

    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Its node stopped (shut down, or stopped responding) before the job did.</summary>
    Interrupted,
}
