using System.Text.Json;
using my_app.Background;

namespace my_app.Tests;

/// <summary>
/// What every <see cref="IJobStore"/> must do, whatever keeps the jobs: one concrete class per store runs it.
/// A store that passes can be swapped in without the rest of the app noticing.
/// </summary>
public abstract partial class JobStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    protected TestClock Time { get; } = new();

    protected BackgrounderOptions Options { get; } = new()
    {
        MaxOutputLines = 5,
        MaxOutputBytes = 64,
        MaxRetainedJobs = 4,
        RetentionPeriod = Retention,
        NodeName = "node-a",
    };

    private IJobStore? _store;
    private string? _unavailable;

    /// <summary>The store under test; a test that needs it is skipped, with the reason, when its server is not there.</summary>
    protected IJobStore Store
    {
        get
        {
            Skip.If(_store is null, _unavailable);
            return _store!;
        }
    }

    public async Task InitializeAsync() => (_store, _unavailable) = await CreateStoreAsync(Options, Time);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The store, or null and why it cannot be tested here.</summary>
    protected abstract Task<(IJobStore? Store, string? Unavailable)> CreateStoreAsync(BackgrounderOptions options, TimeProvider time);

    [SkippableFact]
    public async Task A_created_job_reads_back_queued_with_its_owner_and_node()
    {
        var id = await CreateAsync(owner: "user:abc");

        var status = await Store.StatusAsync(id);

        Assert.Equal(JobState.Queued, status.State);
        Assert.Equal(Time.GetUtcNow(), status.CreatedAt);
        Assert.Equal("user:abc", status.Owner);
        Assert.Equal("node-a", status.Node);
        Assert.Equal(0, status.LineCount);
        Assert.Null(await Store.GetAsync(JobId.New()));
    }

    [SkippableFact]
    public async Task A_created_job_reads_back_with_its_name_kind_and_arguments()
    {
        var typed = JobId.New();
        using var arguments = JsonDocument.Parse("""{"region":"north","orders":[1,2],"note":"é \"quoted\""}""");
        await Store.CreateAsync(new JobStatus(typed, JobState.Queued, Time.GetUtcNow(), Node: Options.NodeName)
        {
            Name = "ImportOrders",
            Kind = JobKind.Typed,
            Arguments = arguments.RootElement.Clone(),
        });
        var untyped = await CreateAsync();

        var status = await Store.StatusAsync(typed);
        Assert.Equal("ImportOrders", status.Name);
        Assert.Equal(JobKind.Typed, status.Kind);
        Assert.Equal(arguments.RootElement.GetRawText(), status.Arguments?.GetRawText());

        var plain = await Store.StatusAsync(untyped);
        Assert.Equal(JobStatus.DefaultName, plain.Name);
        Assert.Equal(JobKind.Delegate, plain.Kind);
        Assert.Null(plain.Arguments);
        Assert.Contains(await Store.ListAsync(), job => job.Id == typed && job.Name == "ImportOrders");
    }

    [SkippableFact]
    public async Task A_created_job_reads_back_with_the_job_it_repeats_and_its_traceparent()
    {
        var repeated = await CreateAsync();
        var again = JobId.New();
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await Store.CreateAsync(new JobStatus(again, JobState.Queued, Time.GetUtcNow(), Node: Options.NodeName)
        {
            Repeats = repeated,
            TraceParent = traceParent,
        });

        var status = await Store.StatusAsync(again);
        Assert.Equal(repeated, status.Repeats);
        Assert.Equal(traceParent, status.TraceParent);
        Assert.Contains(await Store.ListAsync(), job => job.Id == again && job.Repeats == repeated && job.TraceParent == traceParent);

        var plain = await Store.StatusAsync(repeated);
        Assert.Null(plain.Repeats);
        Assert.Null(plain.TraceParent);
    }

    [SkippableFact]
    public async Task Lists_and_counts_follow_a_name_through_the_states()
    {
        async Task<JobId> CreateNamedAsync(string name)
        {
            var id = JobId.New();
            await Store.CreateAsync(new JobStatus(id, JobState.Queued, Time.GetUtcNow(), Node: Options.NodeName) { Name = name });
            return id;
        }

        var first = await CreateNamedAsync("import");
        var second = await CreateNamedAsync("import");
        var other = await CreateNamedAsync("report");
        Assert.True(await Store.TryStartAsync(first));
        Assert.True(await Store.TryFinishAsync(first, JobState.Succeeded));
        Assert.True(await Store.TryStartAsync(second));

        Assert.Equal([second, first], (await Store.ListAsync(name: "import")).Select(job => job.Id));
        Assert.Equal([second], (await Store.ListAsync(JobState.Running, "import")).Select(job => job.Id));
        Assert.Equal([other], (await Store.ListAsync(JobState.Queued, "report")).Select(job => job.Id));
        Assert.Empty(await Store.ListAsync(JobState.Queued, "import"));
        var counts = await Store.CountAsync("import");
        Assert.Equal(1, counts[JobState.Succeeded]);
        Assert.Equal(1, counts[JobState.Running]);
        Assert.False(counts.ContainsKey(JobState.Queued));
        Assert.Empty(await Store.CountAsync("nobody"));

        // Retention forgets the finished one from its name's indexes too.
        Time.Advance(Retention + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Store.RemoveExpiredAsync());
        Assert.Equal([second], (await Store.ListAsync(name: "import")).Select(job => job.Id));
        Assert.False((await Store.CountAsync("import")).ContainsKey(JobState.Succeeded));
    }

    [SkippableFact]
    public async Task Lines_are_numbered_from_zero_without_gaps_and_read_from_any_number()
    {
        var id = await CreateAsync();
        Assert.True(await Store.AppendAsync(id, new JobLines(0, ["a", "b"])));
        Assert.True(await Store.AppendAsync(id, new JobLines(2, ["c"])));

        AssertLines(0, ["a", "b", "c"], await Store.ReadLinesAsync(id, 0));
        AssertLines(1, ["b", "c"], await Store.ReadLinesAsync(id, 1));
        AssertLines(3, [], await Store.ReadLinesAsync(id, 3));
        AssertLines(3, [], await Store.ReadLinesAsync(id, 99));
        Assert.Equal(3, (await Store.StatusAsync(id)).LineCount);
    }

    [SkippableFact]
    public async Task Past_MaxOutputLines_the_oldest_lines_are_dropped_and_counted()
    {
        var id = await CreateAsync();

        await Store.AppendAsync(id, new JobLines(0, [.. Enumerable.Range(0, 8).Select(i => $"{i}")]));

        var status = await Store.StatusAsync(id);
        Assert.Equal(8, status.LineCount);
        Assert.Equal(3, status.Dropped);
        AssertLines(3, ["3", "4", "5", "6", "7"], await Store.ReadLinesAsync(id, 0));
        AssertLines(6, ["6", "7"], await Store.ReadLinesAsync(id, 6));
    }

    [SkippableFact]
    public async Task Past_MaxOutputBytes_the_oldest_lines_are_dropped_but_the_newest_always_stays()
    {
        var id = await CreateAsync();
        var twenty = new string('x', 20);

        await Store.AppendAsync(id, new JobLines(0, [twenty + "0", twenty + "1", twenty + "2", twenty + "3"]));
        await Store.AppendAsync(id, new JobLines(4, [new string('y', 100)]));

        var lines = await Store.ReadLinesAsync(id, 0);
        AssertLines(4, [new string('y', 100)], lines);
        Assert.Equal(4, (await Store.StatusAsync(id)).Dropped);
    }

    [SkippableFact]
    public async Task An_append_retried_after_it_reached_the_store_is_not_applied_twice()
    {
        var id = await CreateAsync();

        await Store.AppendAsync(id, new JobLines(0, ["a", "b"]));
        await Store.AppendAsync(id, new JobLines(0, ["a", "b"]));
        await Store.AppendAsync(id, new JobLines(1, ["b", "c"]));

        AssertLines(0, ["a", "b", "c"], await Store.ReadLinesAsync(id, 0));
    }

    [SkippableFact]
    public async Task Lines_missing_before_an_append_count_as_dropped_with_every_older_line()
    {
        var id = await CreateAsync();
        await Store.AppendAsync(id, new JobLines(0, ["a"]));

        await Store.AppendAsync(id, new JobLines(4, ["e", "f"]));

        var status = await Store.StatusAsync(id);
        Assert.Equal(6, status.LineCount);
        Assert.Equal(4, status.Dropped);
        AssertLines(4, ["e", "f"], await Store.ReadLinesAsync(id, 0));
    }

    [SkippableFact]
    public async Task Start_takes_a_queued_job_to_Running_once()
    {
        var id = await CreateAsync();
        Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await Store.TryStartAsync(id));
        Assert.False(await Store.TryStartAsync(id));

        var status = await Store.StatusAsync(id);
        Assert.Equal(JobState.Running, status.State);
        Assert.Equal(Time.GetUtcNow(), status.StartedAt);
    }

    [SkippableFact]
    public async Task The_final_line_and_the_final_state_are_one_step_that_cannot_be_taken_twice()
    {
        var id = await StartedAsync();
        await Store.AppendAsync(id, new JobLines(0, ["working"]));

        Assert.True(await Store.TryFinishAsync(id, JobState.Failed, "IOException: disk full", "Job failed: IOException: disk full"));
        Assert.False(await Store.TryFinishAsync(id, JobState.Succeeded));
        Assert.False(await Store.TryFinishAsync(id, JobState.Interrupted, finalLine: "Job interrupted."));

        var status = await Store.StatusAsync(id);
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal("IOException: disk full", status.Error);
        Assert.Equal(Time.GetUtcNow(), status.FinishedAt);
        Assert.Equal(2, status.LineCount);
        Assert.Equal(["working", "Job failed: IOException: disk full"], (await Store.ReadLinesAsync(id, 0)).Lines);
    }

    [SkippableFact]
    public async Task After_the_final_state_the_output_is_closed()
    {
        var id = await StartedAsync();
        await Store.TryFinishAsync(id, JobState.Succeeded);

        Assert.False(await Store.AppendAsync(id, new JobLines(0, ["too late"])));
        await Store.ReportProgressAsync(id, 0.5);

        var status = await Store.StatusAsync(id);
        Assert.Equal(0, status.LineCount);
        Assert.Null(status.Progress);
    }

    [SkippableFact]
    public async Task A_queued_job_canceled_ends_Canceled_at_once_tells_its_node_and_can_no_longer_start()
    {
        var id = await CreateAsync();
        var told = CancelRequestFor(id);

        Assert.True(await Store.RequestCancelAsync(id));

        await told.WaitAsync(JobWaiting.Timeout);
        var status = await Store.StatusAsync(id);
        Assert.Equal(JobState.Canceled, status.State);
        Assert.True(status.CancelRequested);
        Assert.Null(status.StartedAt);
        Assert.Equal([IJobStore.CanceledLine], (await Store.ReadLinesAsync(id, 0)).Lines);
        Assert.False(await Store.TryStartAsync(id));
        Assert.False(await Store.RequestCancelAsync(id));
    }

    [SkippableFact]
    public async Task A_running_job_canceled_is_marked_and_its_node_told_while_it_runs_on()
    {
        var id = await StartedAsync();
        var told = CancelRequestFor(id);

        Assert.True(await Store.RequestCancelAsync(id));

        await told.WaitAsync(JobWaiting.Timeout);
        var status = await Store.StatusAsync(id);
        Assert.Equal(JobState.Running, status.State);
        Assert.True(status.CancelRequested);
        Assert.True(await Store.TryFinishAsync(id, JobState.Canceled, finalLine: IJobStore.CanceledLine));
        Assert.False(await Store.RequestCancelAsync(id));
        Assert.False(await Store.RequestCancelAsync(JobId.New()));
    }

    [SkippableFact]
    public async Task Progress_is_kept_until_the_job_finishes()
    {
        var id = await StartedAsync();

        await Store.ReportProgressAsync(id, 0.25);
        Assert.Equal(0.25, (await Store.StatusAsync(id)).Progress);
        await Store.TryFinishAsync(id, JobState.Succeeded);
        await Store.ReportProgressAsync(id, 0.5);

        Assert.Equal(0.25, (await Store.StatusAsync(id)).Progress);
    }

    [SkippableFact]
    public async Task A_change_wakes_whoever_took_the_next_change_before_it_even_if_it_waits_after()
    {
        var id = await CreateAsync();

        // Taken, then the change, then the wait: the order in which a reader reads and then waits.
        var beforeAppend = Store.NextChange(id);
        await Store.AppendAsync(id, new JobLines(0, ["a"]));
        await beforeAppend.WaitAsync(JobWaiting.Timeout);

        var beforeStart = Store.NextChange(id);
        await Store.TryStartAsync(id);
        await beforeStart.WaitAsync(JobWaiting.Timeout);

        var beforeProgress = Store.NextChange(id);
        await Store.ReportProgressAsync(id, 0.5);
        await beforeProgress.WaitAsync(JobWaiting.Timeout);

        var beforeCancel = Store.NextChange(id);
        await Store.RequestCancelAsync(id);
        await beforeCancel.WaitAsync(JobWaiting.Timeout);

        var beforeFinish = Store.NextChange(id);
        await Store.TryFinishAsync(id, JobState.Canceled);
        await beforeFinish.WaitAsync(JobWaiting.Timeout);
    }

    [SkippableFact]
    public async Task Finished_jobs_older_than_the_retention_period_are_removed_and_queued_or_running_ones_never()
    {
        var queued = await CreateAsync();
        var running = await StartedAsync();
        var old = await FinishedAsync();
        Time.Advance(Retention / 2);
        var recent = await FinishedAsync();
        Time.Advance(Retention / 2);

        Assert.Equal(1, await Store.RemoveExpiredAsync());

        Assert.Null(await Store.GetAsync(old));
        Assert.NotNull(await Store.GetAsync(recent));
        Assert.NotNull(await Store.GetAsync(queued));
        Assert.NotNull(await Store.GetAsync(running));
    }

    [SkippableFact]
    public async Task At_MaxRetainedJobs_a_new_job_makes_room_by_removing_the_oldest_finished_ones()
    {
        var first = await FinishedAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await FinishedAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        var running = await StartedAsync();
        var queued = await CreateAsync();

        var newest = await CreateAsync();

        Assert.Null(await Store.GetAsync(first));
        Assert.NotNull(await Store.GetAsync(second));
        Assert.NotNull(await Store.GetAsync(running));
        Assert.NotNull(await Store.GetAsync(queued));
        Assert.NotNull(await Store.GetAsync(newest));
        Assert.Equal(4, (await Store.CountAsync()).Values.Sum());
    }

    [SkippableFact]
    public async Task Queued_and_running_jobs_are_kept_past_MaxRetainedJobs_rather_than_lost()
    {
        var jobs = new List<JobId> { await StartedAsync(), await StartedAsync(), await CreateAsync(), await CreateAsync(), await CreateAsync() };

        foreach (var id in jobs)
        {
            Assert.NotNull(await Store.GetAsync(id));
        }
    }

    [SkippableFact]
    public async Task Removing_a_job_wakes_its_followers_who_then_find_it_gone()
    {
        var id = await FinishedAsync();
        var changed = Store.NextChange(id);
        Time.Advance(Retention);

        await Store.RemoveExpiredAsync();

        await changed.WaitAsync(JobWaiting.Timeout);
        Assert.Null(await Store.GetAsync(id));
    }

    [SkippableFact]
    public async Task The_list_is_newest_first_filtered_by_state_in_pages_and_counted_per_state()
    {
        var older = await FinishedAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        var running = await StartedAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        var newest = await CreateAsync();

        Assert.Equal([newest, running, older], (await Store.ListAsync()).Select(job => job.Id));
        Assert.Equal([running], (await Store.ListAsync(JobState.Running)).Select(job => job.Id));
        Assert.Equal([running], (await Store.ListAsync(skip: 1, take: 1)).Select(job => job.Id));
        var counts = await Store.CountAsync();
        Assert.Equal(1, counts[JobState.Queued]);
        Assert.Equal(1, counts[JobState.Running]);
        Assert.Equal(1, counts[JobState.Succeeded]);
        Assert.False(counts.ContainsKey(JobState.Failed));
    }

    protected async Task<JobId> CreateAsync(string? owner = null)
    {
        var id = JobId.New();
        await Store.CreateAsync(new JobStatus(id, JobState.Queued, Time.GetUtcNow(), Node: Options.NodeName) { Owner = owner });
        return id;
    }

    protected async Task<JobId> StartedAsync()
    {
        var id = await CreateAsync();
        Assert.True(await Store.TryStartAsync(id));
        return id;
    }

    protected async Task<JobId> FinishedAsync()
    {
        var id = await StartedAsync();
        Assert.True(await Store.TryFinishAsync(id, JobState.Succeeded));
        return id;
    }

    private Task CancelRequestFor(JobId id)
    {
        var told = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.CancelRequested += canceled =>
        {
            if (canceled == id)
            {
                told.TrySetResult();
            }
        };
        return told.Task;
    }

    private static void AssertLines(long first, string[] lines, JobLines actual)
    {
        Assert.Equal(first, actual.First);
        Assert.Equal(lines, actual.Lines);
    }
}

/// <summary>The contract against the in-memory store, the default of every app.</summary>
public sealed class InMemoryJobStoreTests : JobStoreContract
{
    protected override Task<(IJobStore? Store, string? Unavailable)> CreateStoreAsync(BackgrounderOptions options, TimeProvider time) =>
        Task.FromResult<(IJobStore?, string?)>((new InMemoryJobStore(time, Microsoft.Extensions.Options.Options.Create(options)), null));
}
