using System.ComponentModel.DataAnnotations;

namespace my_app.Jobs;

/// <summary>The <c>Backgrounder:Samples</c> section: settings of the seed's sample job.</summary>
public sealed class SampleOptions
{
    public const string SectionName = "Backgrounder:Samples";

    /// <summary>Pause before each of <see cref="LongRunning"/>'s lines; the seed slept one second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Backgrounder:Samples:LongRunningInterval must be a positive duration up to a day, such as 00:00:01.")]
    public TimeSpan LongRunningInterval { get; set; } = TimeSpan.FromSeconds(1);
}
