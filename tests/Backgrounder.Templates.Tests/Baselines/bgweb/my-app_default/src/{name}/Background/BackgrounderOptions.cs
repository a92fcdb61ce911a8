using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;

namespace my_app.Background;

/// <summary>
/// The <c>Backgrounder</c> section of appsettings.json (or <c>Backgrounder__*</c> variables). A bad value stops
/// start-up with a message naming the setting. Every limit is there so that no client and no job can make the
/// app hold more than it says.
/// </summary>
public sealed class BackgrounderOptions
{
    public const string SectionName = "Backgrounder";

    private const string MaxDuration = "10675199.02:48:05.4775807";

    // Random per process, so two processes on one machine, or a restarted one, never pass for each other, and opaque,
    // since anyone holding a job id sees it: the machine and the process id go to the log only.
    private static readonly string s_defaultNodeName = $"node-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Jobs that run at once on this node: a thread per request would have no limit.</summary>
    [Range(1, 1024, ErrorMessage = "Backgrounder:MaxConcurrentJobs must be from 1 to 1024.")]
    public int MaxConcurrentJobs { get; set; } = 16;

    /// <summary>Jobs that may wait for a free worker; one more start is refused (503) rather than queued forever.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backgrounder:QueueCapacity must be at least 1.")]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Lines kept per job; older lines are dropped (and counted), so a chatty job cannot exhaust memory.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backgrounder:MaxOutputLines must be at least 1.")]
    public int MaxOutputLines { get; set; } = 10_000;

    /// <summary>UTF-8 bytes of output kept per job, whatever the line count; older lines are dropped past it.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Backgrounder:MaxOutputBytes must be at least 1.")]
    public long MaxOutputBytes { get; set; } = 256 * 1024;

    /// <summary>Characters per line; longer lines, and partial lines that reach it, are cut there and marked with "…".</summary>
    [Range(16, 1_048_576, ErrorMessage = "Backgrounder:MaxLineLength must be from 16 to 1048576.")]
    public int MaxLineLength { get; set; } = 8192;

    /// <summary>How often <see cref="JobCleanupService"/> looks for finished jobs to forget.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", MaxDuration, ErrorMessage = "Backgrounder:CleanupInterval must be a positive duration such as 00:00:30.")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a finished job stays readable; then <see cref="JobCleanupService"/> forgets it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", MaxDuration, ErrorMessage = "Backgrounder:RetentionPeriod must be a positive duration such as 01:00:00.")]
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Jobs kept at most, at every moment, scheduled ones aside; past it the oldest finished ones go first.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backgrounder:MaxRetainedJobs must be at least 1.")]
    public int MaxRetainedJobs { get; set; } = 1000;

    /// <summary>
    /// Jobs waiting for their time (<c>ScheduleAsync</c>, and retries between attempts) in the store, for every node;
    /// one more <c>ScheduleAsync</c> is refused (503) like a start into a full queue. They are not counted in
    /// <see cref="MaxRetainedJobs"/>, and retention never removes them.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backgrounder:MaxScheduledJobs must be at least 1.")]
    public int MaxScheduledJobs { get; set; } = 10_000;

    /// <summary>Serve a job only to the client that started it (a signed owner cookie); jobs of signed-in users always are.</summary>
    public bool RequireOwner { get; set; }

    /// <summary>Event streams (<c>GET /jobs/{id}/events</c>) one client may hold open at once; one more is refused with 429.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Backgrounder:MaxEventStreamsPerClient must be at least 1.")]
    public int MaxEventStreamsPerClient { get; set; } = 16;

    /// <summary>How long one event stream lasts; then it ends with <c>retry:</c> and the client resumes from Last-Event-ID.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", MaxDuration, ErrorMessage = "Backgrounder:EventStreamLifetime must be a positive duration such as 00:05:00.")]
    public TimeSpan EventStreamLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Jobs one client may start per minute; 0 turns the limit off. Past it a start gets 429.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "Backgrounder:StartsPerMinutePerClient must be 0 (off) or more.")]
    public int StartsPerMinutePerClient { get; set; }

    /// <summary>Characters of JSON a typed job's arguments may take in its record; longer ones are refused (400).</summary>
    [Range(2, 1_048_576, ErrorMessage = "Backgrounder:MaxArgumentsLength must be from 2 to 1048576.")]
    public int MaxArgumentsLength { get; set; } = 4096;

    /// <summary>The <c>Viewer</c> section: the threaddb dashboard, and who may see every job.</summary>
    public ViewerOptions Viewer { get; set; } = new();

    /// <summary>This process's name in job records and in <c>/threaddb</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Backgrounder:NodeName must not be empty.")]
    public string NodeName { get; set; } = s_defaultNodeName;
}
