namespace Acme.Shop.Background;

/// <summary>
/// Where jobs are recorded, holding only what can cross a process boundary (a job's
/// <see cref="JobStatus"/> and its output lines), never a job's delegate or token. The in-memory store serves
/// one node; a shared store lets every node serve every job. Each operation is one atomic step, so a reader
/// that sees a job finished finds all of its lines.
/// </summary>
public interface IJobStore
{
    /// <summary>The last line of a job canceled before it ran.</summary>
    public const string CanceledLine = "Job canceled.";

    /// <summary>
    /// Records a new <see cref="JobState.Queued"/> job (at <see cref="BackgrounderOptions.MaxRetainedJobs"/> the
    /// oldest finished jobs make room), or a <see cref="JobState.Scheduled"/> one, due at its
    /// <see cref="JobStatus.RunAt"/> and held by no node until one claims it.
    /// </summary>
    /// <exception cref="JobsUnavailableException">
    /// A scheduled job, with <see cref="BackgrounderOptions.MaxScheduledJobs"/> waiting already; nothing was recorded.
    /// </exception>
    Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims at most <paramref name="most"/> scheduled jobs due now whose names are among <paramref name="names"/> (a
    /// node claims only jobs it can run): each becomes <see cref="JobState.Queued"/> on this node in the same step, so
    /// one node claims it, once. Also says when the next of those names' jobs is due.
    /// </summary>
    Task<DueJobs> ClaimDueAsync(IReadOnlyCollection<string> names, int most, CancellationToken cancellationToken = default);

    /// <summary>
    /// Running → <see cref="JobState.Scheduled"/> for attempt <paramref name="attempt"/> + 1 at <paramref name="runAt"/>,
    /// with <paramref name="line"/> added to its output, in one step; true also when that is recorded already (a
    /// retried call). False when the job is not running attempt <paramref name="attempt"/>, or a cancel was requested.
    /// </summary>
    Task<bool> TryRetryAsync(JobId id, int attempt, DateTimeOffset runAt, string line, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queued on this node → <see cref="JobState.Scheduled"/> again, due as it was: a claimed job this node will not run
    /// after all (it is stopping) waits for another. False when it is no longer queued here.
    /// </summary>
    Task<bool> TryReleaseAsync(JobId id, CancellationToken cancellationToken = default);

    /// <summary>Raised on every node when a job is scheduled or rescheduled: the node looks again for what is due next.</summary>
    event Action? Scheduled;

    /// <summary>The job's status, or null when it is unknown or was removed.</summary>
    Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The kept lines numbered <paramref name="from"/> or later; they start later when older ones were dropped.
    /// Read the status first: a job seen finished has all its lines here.
    /// </summary>
    Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the lines, numbered from <see cref="JobLines.First"/> by their writer: lines the store has already
    /// are ignored (a retried call), and a gap before them counts as dropped lines. Past
    /// <see cref="BackgrounderOptions.MaxOutputLines"/> or <see cref="BackgrounderOptions.MaxOutputBytes"/> the
    /// oldest lines are dropped. False once the job has finished: its output is closed.
    /// </summary>
    Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default);

    /// <summary>Sets the progress, from 0 to 1; ignored once the job has finished.</summary>
    Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default);

    /// <summary>Queued → Running. False when the job is no longer queued (it was canceled while it waited).</summary>
    Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queued or Running → <paramref name="state"/>, with <paramref name="finalLine"/> (if any) as the job's last line, in
    /// one step; with <paramref name="attempt"/>, only while the job is on that attempt. False when the job had finished
    /// already (it cannot finish twice), is scheduled (only a cancel ends that), or is on another attempt.
    /// </summary>
    Task<bool> TryFinishAsync(
        JobId id, JobState state, string? error = null, string? finalLine = null, int? attempt = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A cancel, from any node: a scheduled or queued job ends <see cref="JobState.Canceled"/> at once with <see cref="CanceledLine"/>;
    /// a running one is marked <see cref="JobStatus.CancelRequested"/>. Either way <see cref="CancelRequested"/> is
    /// raised on the node that holds the job. False when the job has finished (or is unknown).
    /// </summary>
    Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default);

    /// <summary>Raised on the node that queued or runs a job when a cancel for it has been recorded.</summary>
    event Action<JobId>? CancelRequested;

    /// <summary>
    /// Completes at the job's next change after this call (a line, a state, progress, a cancel request): "something
    /// changed; pull from your position". Take it before you read and await it after, so no change slips between;
    /// it may complete when nothing changed.
    /// </summary>
    Task NextChange(JobId id);

    /// <summary>
    /// Jobs newest first, only those in <paramref name="state"/> and named <paramref name="name"/> when given: the
    /// viewer's pages. A shared store keeps an index per state and name, so a page never scans every job.
    /// </summary>
    Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, string? name = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>How many jobs are kept in each state; only those named <paramref name="name"/> when given.</summary>
    Task<IReadOnlyDictionary<JobState, int>> CountAsync(string? name = null, CancellationToken cancellationToken = default);

    /// <summary>Forgets jobs finished more than <see cref="BackgrounderOptions.RetentionPeriod"/> ago; returns how many.</summary>
    Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default);
}
