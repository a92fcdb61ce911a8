using Acme.Shop.Background;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Tests;

/// <summary>The in-memory store, telling the test when a cleanup sweep is done, so it waits instead of guessing.</summary>
public sealed class RecordingJobStore(TimeProvider time, IOptions<BackgrounderOptions> options) : IJobStore
{
    private readonly InMemoryJobStore _inner = new(time, options);
    private TaskCompletionSource<int> _swept = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public event Action<JobId>? CancelRequested
    {
        add => _inner.CancelRequested += value;
        remove => _inner.CancelRequested -= value;
    }

    public event Action? Scheduled
    {
        add => _inner.Scheduled += value;
        remove => _inner.Scheduled -= value;
    }

    /// <summary>Completes with the number of jobs removed by the next sweep of the cleanup service.</summary>
    public Task<int> NextSweep => Volatile.Read(ref _swept).Task;

    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var removed = await _inner.RemoveExpiredAsync(cancellationToken);
        Interlocked.Exchange(ref _swept, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(removed);
        return removed;
    }

    public Task CreateAsync(JobStatus job, CancellationToken cancellationToken = default) => _inner.CreateAsync(job, cancellationToken);

    public Task<JobStatus?> GetAsync(JobId id, CancellationToken cancellationToken = default) => _inner.GetAsync(id, cancellationToken);

    public Task<JobLines> ReadLinesAsync(JobId id, long from, CancellationToken cancellationToken = default) => _inner.ReadLinesAsync(id, from, cancellationToken);

    public Task<bool> AppendAsync(JobId id, JobLines lines, CancellationToken cancellationToken = default) => _inner.AppendAsync(id, lines, cancellationToken);

    public Task ReportProgressAsync(JobId id, double progress, CancellationToken cancellationToken = default) => _inner.ReportProgressAsync(id, progress, cancellationToken);

    public Task<bool> TryStartAsync(JobId id, CancellationToken cancellationToken = default) => _inner.TryStartAsync(id, cancellationToken);

    public Task<bool> TryFinishAsync(
        JobId id, JobState state, string? error = null, string? finalLine = null, int? attempt = null, CancellationToken cancellationToken = default) =>
        _inner.TryFinishAsync(id, state, error, finalLine, attempt, cancellationToken);

    public Task<DueJobs> ClaimDueAsync(IReadOnlyCollection<string> names, int most, CancellationToken cancellationToken = default) =>
        _inner.ClaimDueAsync(names, most, cancellationToken);

    public Task<bool> TryReleaseAsync(JobId id, CancellationToken cancellationToken = default) => _inner.TryReleaseAsync(id, cancellationToken);

    public Task<bool> TryRetryAsync(JobId id, int attempt, DateTimeOffset runAt, string line, CancellationToken cancellationToken = default) =>
        _inner.TryRetryAsync(id, attempt, runAt, line, cancellationToken);

    public Task<bool> RequestCancelAsync(JobId id, CancellationToken cancellationToken = default) => _inner.RequestCancelAsync(id, cancellationToken);

    public Task NextChange(JobId id) => _inner.NextChange(id);

    public Task<IReadOnlyList<JobStatus>> ListAsync(JobState? state = null, string? name = null, int skip = 0, int take = int.MaxValue, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(state, name, skip, take, cancellationToken);

    public Task<IReadOnlyDictionary<JobState, int>> CountAsync(string? name = null, CancellationToken cancellationToken = default) =>
        _inner.CountAsync(name, cancellationToken);
}
