namespace Company.WebApplication1.Jobs;

/// <summary>The <c>Backgrounder:Samples</c> section: settings of the seed's sample job.</summary>
public sealed class SampleOptions
{
    public const string SectionName = "Backgrounder:Samples";

    /// <summary>Pause before each of <see cref="LongRunning"/>'s lines; the seed slept one second.</summary>
    public TimeSpan LongRunningInterval { get; set; } = TimeSpan.FromSeconds(1);
}
