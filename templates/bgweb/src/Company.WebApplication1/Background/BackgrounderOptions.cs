namespace Company.WebApplication1.Background;

/// <summary>The <c>Backgrounder</c> section of appsettings.json (or <c>Backgrounder__*</c> variables).</summary>
public sealed class BackgrounderOptions
{
    public const string SectionName = "Backgrounder";

    /// <summary>Jobs that run at once. The seed started one thread per request, without limit.</summary>
    public int MaxConcurrentJobs { get; set; } = 16;

    /// <summary>Jobs that may wait for a free worker; starting one more is refused rather than queued forever.</summary>
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Lines kept per job; older lines are dropped so a chatty job cannot exhaust memory.</summary>
    public int MaxOutputLines { get; set; } = 10_000;

    /// <summary>How often <see cref="JobCleanupService"/> looks for finished jobs to forget.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a finished job stays readable. The seed's threaddb kept every thread forever.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Finished jobs kept at most; past it the oldest finished ones go first.</summary>
    public int MaxRetainedJobs { get; set; } = 1000;

    /// <summary>Serve a job's output, events and cancel only to the client that started it (an owner cookie).</summary>
    public bool RequireOwner { get; set; }
}
