using System.Xml.Linq;
using my_app.Background;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace my_app.Tests;

/// <summary>
/// Redis as production runs it, one fault at a time, each kept to this test's own keys: a server error is
/// unavailability; a refused start leaves nothing; a job Redis forgot comes back from its node; one live process per
/// node name; bounded script calls; a health check that writes; the key ring written back.
/// </summary>
public sealed class RedisRecoveryTests
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";

    [SkippableFact]
    public async Task A_server_error_is_a_503_for_callers_never_a_failure()
    {
        await using var node = await NodeAsync("node-a");

        // Any server error will do (OOM, READONLY, LOADING): here the index a create counts is the wrong type.
        await node.Redis.GetDatabase().StringSetAsync(_prefix + "jobs", "not a sorted set");
        var error = await Assert.ThrowsAsync<JobsUnavailableException>(() => node.Store.CreateAsync(new JobStatus(JobId.New(), JobState.Queued, DateTimeOffset.UtcNow)));

        Assert.Contains("WRONGTYPE", error.Message);
        Assert.Equal(503, error.StatusCode);
    }

    [SkippableFact]
    public async Task A_refused_start_whose_create_reached_Redis_after_all_is_removed_at_the_next_beat()
    {
        await using var node = await NodeAsync("node-a");
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow));
        var removed = node.Store.NextChange(id);

        // As when the create timed out and was applied later: the start was answered 503.
        node.Store.Held.Abandon(id);

        await removed.WaitAsync(JobWaiting.Timeout);
        Assert.Null(await node.Store.GetAsync(id));
        Assert.Empty(await node.Store.ListAsync());
    }

    [SkippableFact]
    public async Task A_running_job_Redis_forgot_is_written_back_by_its_node_with_its_fields_and_line_numbers()
    {
        await using var node = await NodeAsync("node-a");
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow) { Name = "ImportOrders", Kind = JobKind.Typed, Owner = "user:abc" });
        Assert.True(await node.Store.TryStartAsync(id));
        await node.Store.AppendAsync(id, new JobLines(0, ["one", "two"]));

        await node.Redis.GetDatabase().KeyDeleteAsync([_prefix + "job:" + id, _prefix + "lines:" + id]);

        // At the next beat, before the job writes again, it is back: visible, cancelable, numbered on.
        var status = await BackAsync(node.Store, id);
        Assert.Equal((JobState.Running, "ImportOrders", JobKind.Typed, "user:abc", 2L, 2L), (status.State, status.Name, status.Kind, status.Owner, status.LineCount, status.Dropped));
        await node.Store.AppendAsync(id, new JobLines(2, ["three"]));
        var lines = await node.Store.ReadLinesAsync(id, 0);
        Assert.Equal(2, lines.First);
        Assert.Equal(["three"], lines.Lines);
        Assert.True(await node.Store.RequestCancelAsync(id));
        Assert.True(await node.Store.TryFinishAsync(id, JobState.Canceled, finalLine: IJobStore.CanceledLine));
    }

    [SkippableFact]
    public async Task A_job_Redis_forgot_is_written_back_when_it_next_writes_and_its_final_state_lands()
    {
        await using var node = await NodeAsync("node-a", nodeTimeout: TimeSpan.FromHours(1));
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow));
        Assert.True(await node.Store.TryStartAsync(id));
        await node.Store.AppendAsync(id, new JobLines(0, ["one"]));
        await node.Redis.GetDatabase().KeyDeleteAsync([_prefix + "job:" + id, _prefix + "lines:" + id]);

        Assert.True(await node.Store.AppendAsync(id, new JobLines(1, ["two"])));
        Assert.True(await node.Store.TryFinishAsync(id, JobState.Succeeded));

        var status = await node.Store.StatusAsync(id);
        Assert.Equal((JobState.Succeeded, 2L, 1L), (status.State, status.LineCount, status.Dropped));
    }

    [SkippableFact]
    public async Task A_second_live_process_under_a_node_name_refuses_to_start_naming_the_setting()
    {
        // Beats 2 s apart: in a process that has only just started, timers can run a second late, and a beat missed
        // for that reason would let the second process take the name.
        await using var first = await NodeAsync("node-a", nodeTimeout: TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeAsync("node-a", nodeTimeout: TimeSpan.FromSeconds(6)));

        Assert.Contains("Backgrounder:NodeName", error.Message);
    }

    [SkippableFact]
    public async Task A_node_name_taken_over_from_a_run_that_died_ends_that_runs_jobs_Interrupted()
    {
        await using var b = await NodeAsync("node-b");
        var id = JobId.New();
        await b.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow, Node: "node-a"));
        await b.Store.Eval(RedisScripts.Start, id, DateTimeOffset.UtcNow.UtcTicks, "dead-run");

        // The dead run's last beat has not expired yet: the new run waits one beat, sees it not renewed, takes over.
        await b.Redis.GetDatabase().StringSetAsync(_prefix + "node:node-a", "dead-run 2026-12-03T00:00:00Z", TimeSpan.FromSeconds(10));
        await using var a = await NodeAsync("node-a");

        var status = await b.Store.StatusAsync(id);
        Assert.Equal(JobState.Interrupted, status.State);
        Assert.Equal(["Job interrupted: node node-a restarted."], await b.Store.LinesAsync(id));
    }

    [Fact]
    public void Appends_go_in_bounded_script_calls_numbered_on_and_a_long_line_goes_alone()
    {
        var lines = new JobLines(7, [.. Enumerable.Range(0, 1000).Select(i => $"line {i}"), new string('x', 100_000), "after"]);

        var batches = RedisLineBatches.Of(lines).ToList();

        Assert.All(batches, batch => Assert.True(batch.Lines.Count <= RedisLineBatches.MaxLines));
        Assert.All(batches.Where(batch => batch.Lines.Count > 1), batch => Assert.True(batch.Lines.Sum(line => line.Length) <= RedisLineBatches.MaxBytes));
        Assert.Equal(lines.Lines, batches.SelectMany(batch => batch.Lines));
        Assert.Equal(batches.Select(batch => batch.First).Skip(1), batches.Select(batch => batch.Next).SkipLast(1));
        Assert.Contains(batches, batch => batch.Lines is [{ Length: 100_000 }]);
    }

    [SkippableFact]
    public async Task A_long_output_is_read_whole_in_pages()
    {
        await using var node = await NodeAsync("node-a");
        var id = JobId.New();
        await node.Store.CreateAsync(new JobStatus(id, JobState.Queued, DateTimeOffset.UtcNow));
        Assert.True(await node.Store.TryStartAsync(id));
        await node.Store.AppendAsync(id, new JobLines(0, [.. Enumerable.Range(0, 2500).Select(i => $"{i}")]));

        var lines = await node.Store.ReadLinesAsync(id, 10);

        Assert.Equal(10, lines.First);
        Assert.Equal(Enumerable.Range(10, 2490).Select(i => $"{i}"), lines.Lines);
    }

    [SkippableFact]
    public async Task Health_is_proven_by_a_write_and_an_unready_node_is_Unhealthy_saying_why()
    {
        await using var node = await NodeAsync("node-a");
        var check = new RedisHealthCheck(node.Redis, node.Store, TimeProvider.System, NullLogger<RedisHealthCheck>.Instance);

        var healthy = await check.CheckHealthAsync(new HealthCheckContext());
        node.Store.Node.EvictionRefused(RedisEvictionPolicy.Refusal("allkeys-lru"));
        var unready = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.True(await node.Redis.GetDatabase().KeyExistsAsync(_prefix + "health"));
        Assert.Equal(HealthStatus.Unhealthy, unready.Status);
        Assert.Contains(RedisStoreOptions.AllowEvictionSetting, unready.Description);
        await Assert.ThrowsAsync<JobsUnavailableException>(() => node.Store.GetAsync(JobId.New()));
    }

    [SkippableFact]
    public async Task Keys_Redis_lost_are_written_back_by_a_node_that_knows_them_once_each()
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisNode.ConnectionString!);
        var key = _prefix + "data-protection-keys";
        var keys = new RedisXmlRepository(redis, key);
        keys.StoreElement(new XElement("key", "one"), "one");

        // Flushed, and a node that started meanwhile made a list of its own key.
        await redis.GetDatabase().KeyDeleteAsync(key);
        await redis.GetDatabase().ListRightPushAsync(key, "<key>two</key>");
        await keys.RestoreIfMissingAsync();
        await keys.RestoreIfMissingAsync();

        Assert.Equal(["<key>two</key>", "<key>one</key>"], (await redis.GetDatabase().ListRangeAsync(key)).Select(element => (string)element!));
    }

    /// <summary>The job once it is in Redis again, as its change signal tells.</summary>
    private static async Task<JobStatus> BackAsync(IJobStore store, JobId id)
    {
        while (true)
        {
            var changed = store.NextChange(id);
            if (await store.GetAsync(id) is { } status)
            {
                return status;
            }

            await changed.WaitAsync(JobWaiting.Timeout);
        }
    }

    private Task<RedisNode> NodeAsync(string name, TimeSpan? nodeTimeout = null)
    {
        Skip.If(RedisNode.ConnectionString is null, RedisNode.Unavailable);
        return RedisNode.StartAsync(_prefix, new BackgrounderOptions { NodeName = name }, TimeProvider.System, nodeTimeout ?? TimeSpan.FromSeconds(1));
    }
}
