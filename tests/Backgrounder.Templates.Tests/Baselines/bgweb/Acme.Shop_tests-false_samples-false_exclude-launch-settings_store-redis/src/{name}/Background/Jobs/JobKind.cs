using System.Text.Json.Serialization;

namespace Acme.Shop.Background;

/// <summary>How a job was given: a job class (<see cref="IJob"/>) or a delegate (<see cref="JobWork"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobKind>))]
public enum JobKind
{
    [JsonStringEnumMemberName("delegate")]
    Delegate,

    [JsonStringEnumMemberName("typed")]
    Typed,
}
