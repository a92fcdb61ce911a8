using Acme.Shop.Background;

namespace Acme.Shop.Tests;

/// <summary>The contract's part on time: scheduled jobs, their claims, and retries with the policy kept in the record.</summary>
public abstract partial class JobStoreContract
{
    private static readonly RetryPolicy Policy = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), OnInterrupted: true);

    [SkippableFact]
    public async Task A_scheduled_job_reads_back_with_its_time_and_policy_on_no_node_and_is_claimed_once_when_due()
    {
        var runAt = Time.GetUtcNow().AddMinutes(5);
        var id = await ScheduleAsync("Import", runAt);

        var scheduled = await Store.StatusAsync(id);
        Assert.Equal(JobState.Scheduled, scheduled.State);
        Assert.Equal(runAt, scheduled.RunAt);
        Assert.Null(scheduled.Node);
        Assert.Equal(1, scheduled.Attempt);
        Assert.Equal(Policy, scheduled.Retry);
        Assert.False(scheduled.IsFinished);

        var early = await Store.ClaimDueAsync(["Import"], 10);
        Assert.Empty(early.Claimed);
        Assert.Equal(runAt, early.NextDue);

        Time.Advance(TimeSpan.FromMinutes(5));
        var due = await Store.ClaimDueAsync(["Import"], 10);
        var claimed = Assert.Single(due.Claimed);
        Assert.Equal((id, JobState.Queued, "node-a"), (claimed.Id, claimed.State, claimed.Node));
        Assert.Equal((JobState.Queued, "node-a"), ((await Store.StatusAsync(id)).State, (await Store.StatusAsync(id)).Node));
        Assert.Null(due.NextDue);

        Assert.Empty((await Store.ClaimDueAsync(["Import"], 10)).Claimed);
        Assert.True(await Store.TryStartAsync(id));
    }

    [SkippableFact]
    public async Task A_claim_takes_only_names_it_knows_and_no_more_than_asked_earliest_first()
    {
        var now = Time.GetUtcNow();
        var later = await ScheduleAsync("Import", now.AddSeconds(2));
        var first = await ScheduleAsync("Import", now.AddSeconds(1));
        var other = await ScheduleAsync("Report", now);
        Time.Advance(TimeSpan.FromSeconds(3));

        var one = await Store.ClaimDueAsync(["Import"], 1);
        Assert.Equal([first], one.Claimed.Select(job => job.Id));
        Assert.Equal([later], (await Store.ClaimDueAsync(["Import", "Unknown"], 5)).Claimed.Select(job => job.Id));
        Assert.Equal(JobState.Scheduled, (await Store.StatusAsync(other)).State);
        Assert.Empty((await Store.ClaimDueAsync([], 5)).Claimed);
        Assert.Equal([other], (await Store.ClaimDueAsync(["Report"], 5)).Claimed.Select(job => job.Id));
    }

    [SkippableFact]
    public async Task A_retry_schedules_the_next_attempt_with_its_line_once_and_only_a_cancel_ends_a_scheduled_job()
    {
        var id = await ScheduleAsync("Import", Time.GetUtcNow());
        Assert.Single((await Store.ClaimDueAsync(["Import"], 1)).Claimed);
        Assert.True(await Store.TryStartAsync(id));
        Assert.True(await Store.AppendAsync(id, new JobLines(0, ["working"])));
        var next = Time.GetUtcNow().AddSeconds(10);

        Assert.False(await Store.TryRetryAsync(id, attempt: 2, next, "wrong attempt"));
        Assert.True(await Store.TryRetryAsync(id, attempt: 1, next, "Attempt 1 of 4 failed: IOException"));
        Assert.True(await Store.TryRetryAsync(id, attempt: 1, next, "Attempt 1 of 4 failed: IOException"));

        var waiting = await Store.StatusAsync(id);
        Assert.Equal((JobState.Scheduled, 2, next, 2L, null), (waiting.State, waiting.Attempt, waiting.RunAt, waiting.LineCount, waiting.Node));
        Assert.Equal(["working", "Attempt 1 of 4 failed: IOException"], await Store.LinesAsync(id));
        Assert.Equal(Policy, waiting.Retry);
        Assert.False(await Store.TryFinishAsync(id, JobState.Succeeded));
        Assert.False(await Store.TryFinishAsync(id, JobState.Interrupted, attempt: 1));

        Assert.True(await Store.RequestCancelAsync(id));
        var canceled = await Store.StatusAsync(id);
        Assert.Equal(JobState.Canceled, canceled.State);
        Assert.Equal(IJobStore.CanceledLine, (await Store.LinesAsync(id))[^1]);
        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty((await Store.ClaimDueAsync(["Import"], 5)).Claimed);
    }

    [SkippableFact]
    public async Task An_attempt_claimed_again_goes_on_numbering_its_lines_and_only_its_own_attempt_finishes_it()
    {
        var id = await ScheduleAsync("Import", Time.GetUtcNow());
        await Store.ClaimDueAsync(["Import"], 1);
        await Store.TryStartAsync(id);
        await Store.TryRetryAsync(id, 1, Time.GetUtcNow(), "Attempt 1 of 4 failed: IOException");

        var again = Assert.Single((await Store.ClaimDueAsync(["Import"], 1)).Claimed);
        Assert.Equal((2, 1L), (again.Attempt, again.LineCount));
        Assert.True(await Store.TryStartAsync(id));
        Assert.True(await Store.AppendAsync(id, new JobLines(again.LineCount, ["second try"])));
        Assert.False(await Store.TryFinishAsync(id, JobState.Succeeded, attempt: 1));
        Assert.True(await Store.TryFinishAsync(id, JobState.Succeeded, attempt: 2));
        Assert.Equal(["Attempt 1 of 4 failed: IOException", "second try"], await Store.LinesAsync(id));
    }

    [SkippableFact]
    public async Task A_claimed_job_its_node_will_not_run_goes_back_to_the_schedule_due_as_it_was()
    {
        var runAt = Time.GetUtcNow();
        var id = await ScheduleAsync("Import", runAt);
        Assert.Single((await Store.ClaimDueAsync(["Import"], 1)).Claimed);

        Assert.True(await Store.TryReleaseAsync(id));

        var released = await Store.StatusAsync(id);
        Assert.Equal((JobState.Scheduled, runAt, null), (released.State, released.RunAt, released.Node));
        Assert.False(await Store.TryReleaseAsync(id));
        Assert.Equal([id], (await Store.ClaimDueAsync(["Import"], 1)).Claimed.Select(job => job.Id));
        Assert.True(await Store.TryStartAsync(id));
        Assert.False(await Store.TryReleaseAsync(id));
    }

    [SkippableFact]
    public async Task A_cancel_asked_while_an_attempt_runs_refuses_its_retry()
    {
        var id = await ScheduleAsync("Import", Time.GetUtcNow());
        await Store.ClaimDueAsync(["Import"], 1);
        await Store.TryStartAsync(id);
        Assert.True(await Store.RequestCancelAsync(id));

        Assert.False(await Store.TryRetryAsync(id, 1, Time.GetUtcNow(), "Attempt 1 of 4 failed: IOException"));
        Assert.True(await Store.TryFinishAsync(id, JobState.Failed, attempt: 1));
    }

    [SkippableFact]
    public async Task MaxScheduledJobs_refuses_one_more_and_scheduled_jobs_are_neither_counted_nor_removed_by_retention()
    {
        Options.MaxScheduledJobs = 2;
        var runAt = Time.GetUtcNow().AddDays(1);
        var scheduled = new[] { await ScheduleAsync("Import", runAt), await ScheduleAsync("Import", runAt) };
        await Assert.ThrowsAsync<JobsUnavailableException>(() => ScheduleAsync("Import", runAt));

        // MaxRetainedJobs (4) bounds the others alone: every one of these finished jobs is kept.
        var finished = new List<JobId>();
        for (var i = 0; i < 4; i++)
        {
            finished.Add(await FinishedAsync());
        }

        Time.Advance(Retention + TimeSpan.FromMinutes(1));
        await Store.RemoveExpiredAsync();

        foreach (var id in scheduled)
        {
            Assert.Equal(JobState.Scheduled, (await Store.StatusAsync(id)).State);
        }

        Assert.Equal(2, (await Store.CountAsync())[JobState.Scheduled]);
        Assert.Equal([.. scheduled.Reverse()], (await Store.ListAsync(JobState.Scheduled)).Select(job => job.Id));
    }

    [SkippableFact]
    public async Task A_job_scheduled_or_retried_is_announced_to_every_listener()
    {
        var announced = 0;
        Store.Scheduled += () => Interlocked.Increment(ref announced);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Scheduled += () => heard.TrySetResult();

        await ScheduleAsync("Import", Time.GetUtcNow().AddMinutes(1));

        await heard.Task.WaitAsync(JobWaiting.Timeout);
        Assert.True(Volatile.Read(ref announced) >= 1);
    }

    private async Task<JobId> ScheduleAsync(string name, DateTimeOffset runAt)
    {
        var id = JobId.New();
        await Store.CreateAsync(new JobStatus(id, JobState.Scheduled, Time.GetUtcNow())
        {
            Name = name,
            Kind = JobKind.Typed,
            RunAt = runAt,
            Retry = Policy,
        });
        return id;
    }
}
