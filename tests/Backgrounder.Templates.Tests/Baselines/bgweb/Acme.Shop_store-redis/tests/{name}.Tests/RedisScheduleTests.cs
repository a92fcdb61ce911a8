using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Shop.Tests;

/// <summary>
/// With Redis a scheduled job waits on no node: when it is due, one node that registered its name claims it, whichever
/// node scheduled it and whether or not that node is still there; a job interrupted by its node's shutdown runs again
/// elsewhere only when its class says it may.
/// </summary>
public sealed class RedisScheduleTests
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";

    [SkippableFact]
    public async Task A_job_whose_node_left_before_it_was_due_is_run_by_a_node_that_registered_its_name_and_by_no_other()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        var runs = new ScheduledJobTests.RunCounter();
        JobId id;
        await using (var a = Node("node-a", services => services.AddSingleton(runs).AddJob<ScheduledJobTests.CountsRuns>()))
        {
            id = await a.Jobs.ScheduleAsync<ScheduledJobTests.CountsRuns>(TimeSpan.FromMinutes(1));
        }

        // B knows other jobs only: once a job of its own, due later, has run there, B has looked past the first one's time.
        await using var b = Node("node-b", services => services.AddJob<TypedJobTests.Greets>());
        var own = await b.Jobs.ScheduleAsync<TypedJobTests.Greets, TypedJobTests.Greeting>(new("B", 1), TimeSpan.FromMinutes(2));
        await b.Time.AdvanceToArmedAsync((await b.Store.StatusAsync(own)).RunAt!.Value);
        Assert.Equal("node-b", (await b.Store.WaitUntilFinishedAsync(own)).Node);
        Assert.Equal(JobState.Scheduled, (await b.Store.StatusAsync(id)).State);

        await using var c = Node("node-c", services => services.AddSingleton(runs).AddJob<ScheduledJobTests.CountsRuns>());
        await c.Time.AdvanceToArmedAsync((await c.Store.StatusAsync(id)).RunAt!.Value);
        var ran = await c.Store.WaitUntilFinishedAsync(id);

        Assert.Equal((JobState.Succeeded, "node-c"), (ran.State, ran.Node));
        Assert.Equal(1, runs.Count);
    }

    [SkippableFact]
    public async Task A_job_allowed_to_run_again_that_shutdown_gave_up_on_runs_its_next_attempt_on_another_node()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        var attempts = new StubbornAttempts();
        JobId id;
        await using (var a = Node("node-a", services => services.AddSingleton(attempts).AddJob<SafeToRepeat>().Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.Zero)))
        {
            id = await a.Jobs.StartAsync<SafeToRepeat>();
            await attempts.FirstRunning.WaitAsync(JobWaiting.Timeout);
        }

        // B's clock has not reached the next attempt yet: it waits, on no node.
        await using var b = Node("node-b", services => services.AddSingleton(attempts).AddJob<SafeToRepeat>());
        var waiting = await b.Store.StatusAsync(id);
        Assert.Equal((JobState.Scheduled, 2, null), (waiting.State, waiting.Attempt, waiting.Node));

        await b.Time.AdvanceToArmedAsync(waiting.RunAt!.Value);
        var done = await b.Store.WaitUntilFinishedAsync(id);

        Assert.Equal((JobState.Succeeded, 2, "node-b"), (done.State, done.Attempt, done.Node));
        var lines = await b.Store.LinesAsync(id);
        Assert.Equal("attempt 1", lines[0]);
        Assert.StartsWith("Attempt 1 of 2 interrupted: the app stopped before it did; next attempt at ", lines[1]);
        Assert.Equal("attempt 2", lines[2]);
    }

    [SkippableFact]
    public async Task A_job_not_allowed_to_run_again_that_shutdown_gave_up_on_ends_Interrupted()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        var attempts = new StubbornAttempts();
        JobId id;
        await using (var a = Node("node-a", services => services.AddSingleton(attempts).AddJob<NotSafeToRepeat>().Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.Zero)))
        {
            id = await a.Jobs.StartAsync<NotSafeToRepeat>();
            await attempts.FirstRunning.WaitAsync(JobWaiting.Timeout);
        }

        await using var b = Node("node-b", services => services.AddSingleton(attempts).AddJob<NotSafeToRepeat>());
        var status = await b.Store.StatusAsync(id);
        Assert.Equal((JobState.Interrupted, 1), (status.State, status.Attempt));
        Assert.Equal(["attempt 1", JobWorkerService.InterruptedLine], await b.Store.LinesAsync(id));
        Assert.Equal(1, attempts.Count);
    }

    [SkippableFact]
    public async Task A_due_job_claimed_by_a_node_that_stops_before_running_it_goes_back_and_runs_on_another()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        var runs = new ScheduledJobTests.RunCounter();
        JobId id;
        await using (var a = Node("node-a", services => services.AddSingleton(runs).AddJob<ScheduledJobTests.CountsRuns>(), ("Backgrounder:MaxConcurrentJobs", "1")))
        {
            // A's only worker is busy: the due job it claims waits in its queue when A stops.
            var blocker = new ScriptedJob();
            await a.StartAsync(blocker.RunAsync);
            await blocker.Started;
            id = await a.Jobs.ScheduleAsync<ScheduledJobTests.CountsRuns>(TimeSpan.FromSeconds(1));
            await a.Time.AdvanceToArmedAsync((await a.Store.StatusAsync(id)).RunAt!.Value);
            await a.Store.WaitForAsync(id, status => status.State == JobState.Queued);
        }

        await using var b = Node("node-b", services => services.AddSingleton(runs).AddJob<ScheduledJobTests.CountsRuns>());
        await b.Time.AdvanceToArmedAsync((await b.Store.StatusAsync(id)).RunAt!.Value);
        var ran = await b.Store.WaitUntilFinishedAsync(id);

        Assert.Equal((JobState.Succeeded, "node-b"), (ran.State, ran.Node));
        Assert.Equal(["ran"], await b.Store.LinesAsync(id));
        Assert.Equal(1, runs.Count);
    }

    [SkippableFact]
    public async Task A_claim_applied_though_its_answer_was_lost_hands_its_jobs_to_this_node_at_the_next_claim_once()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        var time = new TestClock();
        var options = new BackgrounderOptions { NodeName = "node-a" };
        await using var node = await RedisNode.StartAsync(_prefix, options, time);
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Scheduled, time.GetUtcNow()) { Name = "Import", Kind = JobKind.Typed, RunAt = time.GetUtcNow() });

        // The claim reaches Redis and is applied, but its answer never comes back (a timeout): the call fails.
        await node.Store.Eval(RedisScripts.Claim, id: null, [time.GetUtcNow().ToUnixTimeMilliseconds(), "node-a", node.Store.Node.RunId, 10, options.MaxRetainedJobs, "Import"]);
        node.Store.Node.EvictionRefused("Redis is unavailable to this test");
        await Assert.ThrowsAsync<JobsUnavailableException>(() => node.Store.ClaimDueAsync(["Import"], 10));
        node.Store.Node.EvictionRefused(null);

        var recovered = await node.Store.ClaimDueAsync(["Import"], 10);
        Assert.Equal([(id, JobState.Queued, "node-a")], recovered.Claimed.Select(job => (job.Id, job.State, job.Node)));
        Assert.Empty((await node.Store.ClaimDueAsync(["Import"], 10)).Claimed);
        Assert.True(await node.Store.TryStartAsync(id));
    }

    private BackgrounderAppFactory Node(string name, Action<IServiceCollection> services, params (string Key, string Value)[] settings) =>
        new(
        [
            ("Backgrounder:NodeName", name),
            ("ConnectionStrings:Redis", RedisNode.ConnectionString!),
            ("Backgrounder:Redis:KeyPrefix", _prefix),
            ("Backgrounder:Redis:NodeTimeout", "00:00:05"),
            .. settings,
        ])
        {
            CheckRedisSettings = true,
            ConfigureTestServices = services,
        };

    /// <summary>The first attempt ignores its token (shutdown gives up on it); later ones succeed.</summary>
    public sealed class StubbornAttempts
    {
        private readonly TaskCompletionSource _firstRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _never = new();
        private int _count;

        public Task FirstRunning => _firstRunning.Task;

        public int Count => Volatile.Read(ref _count);

        public async Task RunAsync(JobContext context)
        {
            var attempt = Interlocked.Increment(ref _count);
            context.WriteLine($"attempt {attempt}");
            if (attempt == 1)
            {
                // After the line is in the store, so the record is whole when the node goes.
                await context.Services.GetRequiredService<IJobStore>().WaitForLinesAsync(context.JobId, 1);
                _firstRunning.TrySetResult();
                await _never.Task;
            }
        }
    }

    [Retry(1, Backoff = "00:00:01", OnInterrupted = true)]
    public sealed class SafeToRepeat(StubbornAttempts attempts) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => attempts.RunAsync(context);
    }

    [Retry(1, Backoff = "00:00:01")]
    public sealed class NotSafeToRepeat(StubbornAttempts attempts) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => attempts.RunAsync(context);
    }
}
