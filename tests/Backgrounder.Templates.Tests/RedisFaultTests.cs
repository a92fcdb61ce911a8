using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// <c>dotnet new bgweb --store redis</c> against a real redis-server treated the way production treats it (issue 19):
/// out of memory, turned into a replica, paused mid-burst, stopped longer than <c>NodeTimeout</c>, restarted empty,
/// flushed, evicting, a node name used twice. Each test runs its own redis-server (its faults must not reach other
/// tests) and two app processes, and proves through HTTP alone what users see: 503 with <c>Retry-After</c>, never a
/// 500; <c>/healthz</c> Unhealthy; no node process exits; once Redis takes writes again the same nodes serve again and
/// every job they accepted ends with its lines.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class RedisFaultTests(TemplatePackFixture pack, ITestOutputHelper output)
{
    private const string Interval = "Backgrounder:Samples:LongRunningInterval";
    private const string NodeTimeoutSetting = "Backgrounder:Redis:NodeTimeout";
    private const string RequireOwner = "Backgrounder:RequireOwner";
    private const string AllowEviction = "Backgrounder:Redis:AllowEviction";

    /// <summary>Short enough for quick tests, long enough for a loaded 2-core machine (ScaleOutTests use it too).</summary>
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long a fault is held while the nodes are watched: in issue 19 every node had exited within 5 s.</summary>
    private static readonly TimeSpan FaultWindow = 2 * NodeTimeout;

    /// <summary>How long a node may take to notice that Redis is back and serve again.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a node that refuses to start may take to say so and exit (a dotnet start-up takes seconds).</summary>
    private static readonly TimeSpan StartUpRefusalTimeout = TimeSpan.FromSeconds(20);

    // --- Redis refuses writes: OOM, READONLY ---------------------------------------------------------------------

    [Fact]
    public Task Under_OOM_with_noeviction_starts_answer_503_healthz_is_Unhealthy_no_node_exits_and_afterwards_both_serve_and_the_job_ends_Succeeded_with_all_its_lines() =>
        WhileRedisRefusesWritesAsync(
            fault: redis => ConfigSetAsync(redis, ("maxmemory-policy", "noeviction"), ("maxmemory", "1")),
            expectedError: "OOM",
            heal: redis => ConfigSetAsync(redis, ("maxmemory", "0")));

    [Fact]
    public Task After_REPLICAOF_read_only_starts_answer_503_healthz_is_Unhealthy_no_node_exits_and_after_REPLICAOF_NO_ONE_both_serve_and_the_job_ends_Succeeded_with_all_its_lines() =>
        WhileRedisRefusesWritesAsync(
            // A replica of a master nobody runs: it keeps its data, answers reads and PING, refuses every write.
            fault: redis => redis.CliOkAsync("REPLICAOF", "127.0.0.1", $"{AppProcess.FreePort()}"),
            expectedError: "READONLY",
            heal: redis => redis.CliOkAsync("REPLICAOF", "NO", "ONE"));

    // --- A timeout is ambiguous: CLIENT PAUSE during a burst -------------------------------------------------------

    [Fact]
    public async Task During_CLIENT_PAUSE_a_burst_of_starts_is_answered_303_or_503_every_303_ends_Succeeded_with_its_twelve_lines_and_every_503_leaves_no_job()
    {
        const int Workers = 4;
        const int StartsPerWorker = 10;
        const int PauseAfter = 8;
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:00.100"));
        var accepted = new ConcurrentBag<(RedisNode Reader, string Id)>();
        var refused = 0;
        var unexpected = new ConcurrentBag<string>();
        var answered = 0;
        var pauseNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Starts one after another on each worker, alternating nodes; the pause falls in the middle of the burst, so
        // some starts wait on it and time out (503, yet Redis runs their create when the pause ends), later ones pass.
        var burst = Parallel.ForAsync(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (worker, _) =>
        {
            for (var i = 0; i < StartsPerWorker; i++)
            {
                var (starter, reader) = (worker + i) % 2 == 0 ? (nodes.A, nodes.B) : (nodes.B, nodes.A);
                using var response = await starter.Client.GetAsync("/");
                switch (response.StatusCode)
                {
                    case HttpStatusCode.SeeOther:
                        accepted.Add((reader, RedisNode.JobIdOf(response.Headers.Location!)));
                        break;
                    case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                        Interlocked.Increment(ref refused);
                        break;
                    default:
                        unexpected.Add($"{starter.Name}: {(int)response.StatusCode} {response.Headers.RetryAfter} {await response.Content.ReadAsStringAsync()}");
                        break;
                }

                if (Interlocked.Increment(ref answered) == PauseAfter)
                {
                    pauseNow.TrySetResult();
                }
            }
        });
        await pauseNow.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Longer than the client's 3 s timeout: the commands queued at its start time out, those sent late run.
        await redis.CliOkAsync("CLIENT", "PAUSE", "5000", "ALL");
        Log("CLIENT PAUSE 5000 ALL");
        await burst;
        Log($"burst answered: {accepted.Count} accepted, {refused} refused");

        Assert.Empty(unexpected);
        Assert.Equal(Workers * StartsPerWorker, accepted.Count + refused);
        Assert.True(refused > 0, "No start was refused: the pause did not fall in the burst, so this test proved nothing.");
        Assert.True(accepted.Count > PauseAfter, $"Only {accepted.Count} starts were accepted: none after the pause.");
        foreach (var (reader, id) in accepted)
        {
            // Read on the node that did not start it: every 303 is a job that runs, ends and keeps every line.
            AssertSucceededWithTwelveLines(await FollowToEndAsync(reader, id), id);
        }

        // A create that applied after its start answered 503 is removed within NodeTimeout: what stays is what got 303.
        var expected = accepted.Select(job => job.Id).Order(StringComparer.Ordinal).ToList();
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            await EventuallyAsync($"{node.Name}'s /threaddb lists only the {expected.Count} jobs that got 303", NodeTimeout + RecoveryTimeout, async () =>
            {
                var listed = (await node.ThreadDbAsync()).EnumerateArray().Select(row => $"{row.GetProperty("id").GetString()} {row.GetProperty("state").GetString()}").Order(StringComparer.Ordinal).ToList();
                return (listed.SequenceEqual(expected.Select(id => $"{id} Succeeded")), string.Join(", ", listed.Where(row => !expected.Contains(row[..22]) || !row.EndsWith(" Succeeded", StringComparison.Ordinal))));
            });
        }

        AssertRunning(nodes.A, nodes.B);
    }

    // --- No false deaths: Redis gone longer than NodeTimeout, back with its data ------------------------------------

    [Theory]
    [InlineData("stopped")]
    [InlineData("frozen")]
    public async Task When_Redis_is_gone_longer_than_NodeTimeout_and_back_with_its_AOF_data_no_node_marks_another_dead_and_running_jobs_end_Succeeded(string how)
    {
        // Two seconds a line: the jobs still run for longer than NodeTimeout after Redis is back.
        await using var redis = await RedisServer.StartWithAofAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:02"));
        var onA = await nodes.A.StartJobAsync();
        var onB = await nodes.B.StartJobAsync();
        await WaitForLinesAsync(nodes.B, onA, 3);
        await WaitForLinesAsync(nodes.A, onB, 3);

        await (how == "stopped" ? redis.StopAsync() : redis.PauseAsync());
        Log($"Redis {how}");
        try
        {
            // Every heartbeat key expires meanwhile (their expiry is kept in the AOF, and the clock goes on).
            await HoldUnavailableAsync(nodes, onA, readsMayAnswer: false);
        }
        finally
        {
            await (how == "stopped" ? redis.RestartAsync() : redis.ResumeAsync());
            Log($"Redis {(how == "stopped" ? "restarted" : "resumed")}");
        }

        await WaitHealthyAsync(nodes.A, nodes.B);
        foreach (var (reader, id) in new[] { (nodes.B, onA), (nodes.A, onB) })
        {
            var events = await FollowToEndAsync(reader, id);
            Assert.DoesNotContain(events.Lines(), line => line.Data.StartsWith("Job interrupted", StringComparison.Ordinal));
            AssertSucceededWithTwelveLines(events, id);
        }

        foreach (var node in new[] { nodes.A, nodes.B })
        {
            // (Starts refused meanwhile may still be there as Queued, until NodeTimeout removes them: not this test's fault.)
            Assert.All((await node.ThreadDbAsync()).EnumerateArray(), row => Assert.NotEqual("Interrupted", row.GetProperty("state").GetString()));
        }

        AssertRunning(nodes.A, nodes.B);
    }

    // --- Redis that forgets: restarted empty, FLUSHDB ---------------------------------------------------------------

    [Fact]
    public async Task After_SHUTDOWN_NOSAVE_and_a_restart_empty_the_running_job_is_recreated_by_its_node_visible_on_both_and_ends_Succeeded_with_its_line_numbers_kept()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:01"));
        var id = await nodes.A.StartJobAsync();
        await WaitForLinesAsync(nodes.B, id, 4);

        await redis.ShutdownNoSaveAsync();
        await redis.RestartAsync();

        await WaitUntilRecreatedAsync(nodes, id);
        var events = await FollowToEndAsync(nodes.B, id);

        var final = events[^1].State();
        Assert.Equal("Succeeded", final.GetProperty("state").GetString());
        Assert.Equal(12, final.GetProperty("lineCount").GetInt64());
        AssertLinesKeptTheirNumbers(events, final);
        Assert.StartsWith("9: ", events.Lines().Last().Data);

        // Its output stayed the job's: none of it went to the node's stdout when the record vanished.
        Assert.DoesNotMatch(@"(?m)^\d: \d{4}-", nodes.A.App.Output);
        AssertRunning(nodes.A, nodes.B);
    }

    [Fact]
    public async Task After_FLUSHDB_mid_job_its_node_recreates_it_visible_on_both_a_cancel_on_the_other_node_stops_it_and_its_stream_ends_Canceled_with_its_line_numbers_kept()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:01.500"));
        var id = await nodes.A.StartJobAsync();
        await WaitForLinesAsync(nodes.B, id, 3);

        await redis.CliOkAsync("FLUSHDB");

        await WaitUntilRecreatedAsync(nodes, id);
        var following = FollowToEndAsync(nodes.B, id);
        using var cancel = await nodes.B.Client.PostAsync($"/jobs/{id}/cancel", null);
        var events = await following;

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var final = events[^1].State();
        Assert.Equal("Canceled", final.GetProperty("state").GetString());
        Assert.Equal("Job canceled.", events.Lines().Last().Data);
        Assert.Equal(final.GetProperty("lineCount").GetInt64() - 1, long.Parse(events.Lines().Last().Id!, CultureInfo.InvariantCulture));
        AssertLinesKeptTheirNumbers(events, final);
        Assert.Equal("Canceled", (await nodes.A.JsonAsync($"/jobs/{id}")).GetProperty("state").GetString());
        AssertRunning(nodes.A, nodes.B);
    }

    [Fact]
    public async Task With_RequireOwner_an_owner_cookie_minted_before_FLUSHDB_still_opens_the_job_on_both_nodes_after_it_and_a_start_keeps_it_valid()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:01.500"), (RequireOwner, "true"));
        var cookies = new CookieContainer();
        using var ownerOnA = nodes.A.App.CreateClient(cookies);
        using var ownerOnB = nodes.B.App.CreateClient(cookies);
        var id = await RedisNode.StartJobAsync(ownerOnA);
        Assert.Equal(HttpStatusCode.OK, (await ownerOnB.GetAsync($"/jobs/{id}")).StatusCode);

        await redis.CliOkAsync("FLUSHDB");

        foreach (var (owner, name) in new[] { (ownerOnA, "node-a"), (ownerOnB, "node-b") })
        {
            await EventuallyAsync($"the owner's cookie opens job {id} on {name} again", RecoveryTimeout, async () =>
            {
                using var response = await owner.GetAsync($"/jobs/{id}");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable, $"{name}: GET /jobs/{id} answered {(int)response.StatusCode}");
                return (response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}");
            });
        }

        // A start on the other node keeps the cookie (it is valid there): the older job stays the owner's on both.
        var second = await RedisNode.StartJobAsync(ownerOnB);
        foreach (var owner in new[] { ownerOnA, ownerOnB })
        {
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/?_t={id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/jobs/{second}")).StatusCode);
        }

        // Never adopted by a stranger.
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.A.Client.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.B.Client.GetAsync($"/jobs/{id}")).StatusCode);
        AssertRunning(nodes.A, nodes.B);
    }

    // --- Redis that evicts ------------------------------------------------------------------------------------------

    [Fact]
    public async Task With_an_evicting_maxmemory_policy_a_node_exits_at_start_up_naming_AllowEviction_and_with_AllowEviction_true_it_starts()
    {
        await using var redis = await RedisServer.StartAsync();
        await ConfigSetAsync(redis, ("maxmemory-policy", "allkeys-lru"));
        var scaffold = await RedisScaffoldAsync();
        (string, string)[] settings =
        [
            ("ConnectionStrings:Redis", redis.ConnectionString),
            ("Backgrounder:Redis:KeyPrefix", $"e2e-{Guid.NewGuid():N}:"),
            (RedisNodes.NodeNameSetting, "node-a"),
        ];

        var refused = await AppProcess.RunUntilExitAsync(scaffold, StartUpRefusalTimeout, "Development", settings);

        Assert.True(refused.Exited, $"The node still ran {StartUpRefusalTimeout} after it started, on a Redis that evicts:\n{refused.Output}");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(AllowEviction, refused.Output);

        await using var allowed = await AppProcess.StartAsync(scaffold, "Development", [.. settings, (AllowEviction, "true")]);
        using var client = allowed.CreateClient();
        var id = await RedisNode.StartJobAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/jobs/{id}")).StatusCode);
        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    // --- One live process per node name -----------------------------------------------------------------------------

    [Fact]
    public async Task When_a_killed_nodes_name_is_reused_within_NodeTimeout_its_old_job_ends_Interrupted_promptly_and_a_cancel_of_it_is_409()
    {
        // A NodeTimeout well past a restart's few seconds: the old heartbeat is still there when the new run starts.
        var nodeTimeout = TimeSpan.FromSeconds(15);
        var heartbeat = nodeTimeout / 3;
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:01"), (NodeTimeoutSetting, $"{nodeTimeout:c}"));
        var id = await nodes.A.StartJobAsync();
        await WaitForLinesAsync(nodes.B, id, 3);

        await nodes.A.App.KillAsync();
        Log("node-a killed");
        var again = await nodes.StartNodeAsync("node-a", (Interval, "00:00:00.100"));
        Log("node-a listening again");

        await EventuallyAsync($"job {id} of the killed run ends Interrupted, seen from node-b", 2 * heartbeat, async () =>
        {
            var state = (await nodes.B.JsonAsync($"/jobs/{id}")).GetProperty("state").GetString();
            return (state == "Interrupted", state!);
        });
        using var cancel = await nodes.B.Client.PostAsync($"/jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Equal("Interrupted", (await FollowToEndAsync(nodes.B, id))[^1].State().GetProperty("state").GetString());

        // The new run has the name: it starts and runs jobs of its own, which node-b follows to their end.
        var next = await again.StartJobAsync();
        AssertSucceededWithTwelveLines(await FollowToEndAsync(nodes.B, next), next);
        AssertRunning(again, nodes.B);
    }

    [Fact]
    public async Task A_second_live_process_with_a_running_nodes_NodeName_exits_at_start_up_naming_NodeName_and_the_running_node_goes_on()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:01"));
        var id = await nodes.A.StartJobAsync();

        var second = await AppProcess.RunUntilExitAsync(nodes.Scaffold, StartUpRefusalTimeout, "Development", nodes.SettingsFor("node-a"));

        Assert.True(second.Exited, $"A second process named node-a still ran {StartUpRefusalTimeout} after it started:\n{second.Output}");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains(RedisNodes.NodeNameSetting, second.Output);

        // The first node-a was not disturbed: its job runs to its end, and it still starts jobs.
        AssertSucceededWithTwelveLines(await FollowToEndAsync(nodes.B, id), id);
        var next = await nodes.A.StartJobAsync();
        Assert.Equal(HttpStatusCode.OK, (await nodes.B.Client.GetAsync($"/jobs/{next}")).StatusCode);
        AssertRunning(nodes.A, nodes.B);
    }

    // --- RequireOwner with Redis down -------------------------------------------------------------------------------

    [Theory]
    [InlineData("stopped")]
    [InlineData("frozen")]
    public async Task With_RequireOwner_and_Redis_down_a_start_and_a_read_answer_503_never_500_and_afterwards_the_owner_reads_its_job_on_every_node(string how)
    {
        await using var redis = await RedisServer.StartWithAofAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:00.300"), (RequireOwner, "true"));
        var cookies = new CookieContainer();
        using var ownerOnA = nodes.A.App.CreateClient(cookies);
        using var ownerOnB = nodes.B.App.CreateClient(cookies);
        var id = await RedisNode.StartJobAsync(ownerOnA);

        await (how == "stopped" ? redis.StopAsync() : redis.PauseAsync());
        Log($"Redis {how}");
        List<(string What, HttpResponseMessage Response)> answers;
        HttpClient? ownerOnC = null;
        try
        {
            // node-c starts while Redis is down: it holds no Data Protection keys, so it can neither check nor mint
            // an owner cookie (the others hold theirs from start-up).
            var c = await nodes.StartNodeAsync("node-c");
            Log("node-c listening");
            ownerOnC = c.App.CreateClient(cookies);
            answers = [.. await Task.WhenAll(
                SendAsync("owner's start on node-a", ownerOnA, "/"),
                SendAsync("owner's start on node-b", ownerOnB, "/"),
                SendAsync("owner's read on node-b", ownerOnB, $"/?_t={id}"),
                SendAsync("owner's status on node-b", ownerOnB, $"/jobs/{id}"),
                SendAsync("owner's events on node-b", ownerOnB, $"/jobs/{id}/events"),
                SendAsync("owner's live page on node-a", ownerOnA, $"/jobs/{id}/live"),
                SendAsync("owner's start on node-c", ownerOnC, "/"),
                SendAsync("owner's read on node-c", ownerOnC, $"/?_t={id}"),
                SendAsync("owner's status on node-c", ownerOnC, $"/jobs/{id}"),
                SendAsync("a new client's start on node-c", c.Client, "/"),
                SendAsync("a new client's start on node-b", nodes.B.Client, "/"))];
            Log("answered");
        }
        finally
        {
            await (how == "stopped" ? redis.RestartAsync() : redis.ResumeAsync());
            Log($"Redis {(how == "stopped" ? "restarted" : "resumed")}");
        }

        foreach (var (what, response) in answers)
        {
            await AssertRefusedAsync(response, what);
            response.Dispose();
        }

        // The cookie minted on node-a before the outage opens the job everywhere, node-c included, once Redis is back
        // (and each node has reconnected: node-a's multiplexer may take a moment longer than the others').
        foreach (var (owner, name) in new[] { (ownerOnA, "node-a"), (ownerOnB, "node-b"), (ownerOnC, "node-c") })
        {
            await EventuallyAsync($"the owner reads job {id} on {name} again", RecoveryTimeout, async () =>
            {
                using var response = await owner.GetAsync($"/jobs/{id}");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"GET /jobs/{id} on {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return (response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}");
            });
        }

        var next = await RedisNode.StartJobAsync(ownerOnC);
        Assert.Equal(HttpStatusCode.OK, (await ownerOnA.GetAsync($"/jobs/{next}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ownerOnB.GetAsync($"/jobs/{id}")).StatusCode);
        ownerOnC.Dispose();
        AssertRunning(nodes.A, nodes.B);
    }

    // --- Shared steps -----------------------------------------------------------------------------------------------

    /// <summary>
    /// A job runs on node-a, then Redis refuses every write (<paramref name="fault"/>, proved by a write from redis-cli
    /// answering <paramref name="expectedError"/>): for <see cref="FaultWindow"/> both nodes refuse starts with 503 and
    /// <c>Retry-After</c>, answer reads with 200 or 503 (Redis still answers reads), are Unhealthy, and keep running.
    /// After <paramref name="heal"/> they serve again by themselves, and the job that ran meanwhile ends Succeeded with
    /// all its lines.
    /// </summary>
    private async Task WhileRedisRefusesWritesAsync(Func<RedisServer, Task> fault, string expectedError, Func<RedisServer, Task> heal)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodes = await TwoNodesAsync(redis, (Interval, "00:00:00.300"));
        var id = await nodes.A.StartJobAsync();
        await WaitForLinesAsync(nodes.B, id, 3);

        await fault(redis);
        Log("fault on");
        try
        {
            Assert.StartsWith(expectedError, await redis.CliAsync("SET", "fault-probe", "x"));
            await HoldUnavailableAsync(nodes, id, readsMayAnswer: true);
        }
        finally
        {
            await heal(redis);
            Log("fault healed");
        }

        Assert.Equal("OK", (await redis.CliAsync("SET", "fault-probe", "x")).Trim());
        await AssertServeAgainAsync(nodes, id);
    }

    /// <summary>
    /// For <see cref="FaultWindow"/> (and two rounds at least), both nodes: a start answers 503 with Retry-After; each
    /// read (<c>?_t=</c>, <c>/live</c>, <c>/jobs/{id}</c>, <c>/events</c>) 503 with Retry-After, or 200 where
    /// <paramref name="readsMayAnswer"/> (Redis still answers reads); <c>/healthz</c> Unhealthy; the process runs.
    /// </summary>
    private async Task HoldUnavailableAsync(RedisNodes nodes, string id, bool readsMayAnswer)
    {
        // The health check may take a moment to see it; then it must hold for the whole window.
        await EventuallyAsync("both nodes' /healthz is Unhealthy", RecoveryTimeout, async () =>
        {
            var statuses = await Task.WhenAll(new[] { nodes.A, nodes.B }.Select(async node =>
            {
                using var health = await node.Client.GetAsync("/healthz");
                return health.StatusCode;
            }));
            return (statuses.All(status => status == HttpStatusCode.ServiceUnavailable), string.Join(", ", statuses));
        });

        var window = Stopwatch.StartNew();
        for (var round = 0; round < 2 || window.Elapsed < FaultWindow; round++)
        {
            await Task.WhenAll(AssertUnavailableAsync(nodes.A, id, readsMayAnswer), AssertUnavailableAsync(nodes.B, id, readsMayAnswer));
            AssertRunning(nodes.A, nodes.B);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static async Task AssertUnavailableAsync(RedisNode node, string id, bool readsMayAnswer)
    {
        string[] reads = [$"/?_t={id}", $"/jobs/{id}/live", $"/jobs/{id}", $"/jobs/{id}/events"];
        var start = SendAsync($"{node.Name}: GET /", node.Client, "/");
        var answers = await Task.WhenAll(reads.Select(url => SendAsync($"{node.Name}: GET {url}", node.Client, url)));
        var health = SendAsync($"{node.Name}: GET /healthz", node.Client, "/healthz");

        using (var refused = (await start).Response)
        {
            await AssertRefusedAsync(refused, $"{node.Name}: GET /");
        }

        foreach (var (what, response) in answers)
        {
            using (response)
            {
                if (!(readsMayAnswer && response.StatusCode == HttpStatusCode.OK))
                {
                    await AssertRefusedAsync(response, what);
                }
            }
        }

        using var unhealthy = (await health).Response;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Equal("Unhealthy", await unhealthy.Content.ReadAsStringAsync());
    }

    /// <summary>Both nodes start jobs again by themselves and are Healthy; those jobs and <paramref name="running"/> end Succeeded with all their lines.</summary>
    private async Task AssertServeAgainAsync(RedisNodes nodes, params string[] running)
    {
        var started = new List<(RedisNode Reader, string Id)>();
        foreach (var (node, reader) in new[] { (nodes.A, nodes.B), (nodes.B, nodes.A) })
        {
            await EventuallyAsync($"{node.Name} starts a job again", RecoveryTimeout, async () =>
            {
                using var response = await node.Client.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.SeeOther)
                {
                    started.Add((reader, RedisNode.JobIdOf(response.Headers.Location!)));
                    return (true, "303");
                }

                await AssertRefusedAsync(response, $"{node.Name}: GET /");
                return (false, "503");
            });
        }

        await WaitHealthyAsync(nodes.A, nodes.B);

        foreach (var (reader, id) in started.Concat(running.Select(id => (nodes.B, id))))
        {
            AssertSucceededWithTwelveLines(await FollowToEndAsync(reader, id), id);
        }

        AssertRunning(nodes.A, nodes.B);
    }

    private async Task WaitHealthyAsync(params RedisNode[] nodes)
    {
        foreach (var node in nodes)
        {
            await EventuallyAsync($"{node.Name}'s /healthz is Healthy", RecoveryTimeout, async () =>
            {
                using var health = await node.Client.GetAsync("/healthz");
                return (health.StatusCode == HttpStatusCode.OK, $"{(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
            });
        }
    }

    /// <summary>After its record vanished, node-a (which runs the job) re-creates it: both nodes show it Running, on node-a.</summary>
    private async Task WaitUntilRecreatedAsync(RedisNodes nodes, string id)
    {
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            await EventuallyAsync($"job {id} is visible on {node.Name} again, Running on node-a", RecoveryTimeout, async () =>
            {
                using var response = await node.Client.GetAsync($"/jobs/{id}");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable, $"{node.Name}: GET /jobs/{id} answered {(int)response.StatusCode}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return (false, $"{(int)response.StatusCode}");
                }

                var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("Running", job.GetProperty("state").GetString());
                Assert.Equal("node-a", job.GetProperty("node").GetString());
                return (true, "200");
            });
        }
    }

    /// <summary>
    /// The events of job <paramref name="id"/> read on <paramref name="reader"/> until its stream ends; a job that has
    /// not ended within the reader's minute fails the test naming it, with its record as the node shows it.
    /// </summary>
    private static async Task<List<ServerSentEvent>> FollowToEndAsync(RedisNode reader, string id)
    {
        try
        {
            return await EventStreamClient.ReadAsync(reader.Client, $"/jobs/{id}/events");
        }
        catch (OperationCanceledException)
        {
            using var status = await reader.Client.GetAsync($"/jobs/{id}");
            Assert.Fail($"Job {id} had not ended a minute later; {reader.Name}'s GET /jobs/{id} answers {(int)status.StatusCode}: {await status.Content.ReadAsStringAsync()}");
            throw;
        }
    }

    private static Task WaitForLinesAsync(RedisNode reader, string id, int lines) =>
        EventStreamClient.ReadAsync(reader.Client, $"/jobs/{id}/events", enough: events => events.Lines().Count() >= lines);

    private static async Task<(string What, HttpResponseMessage Response)> SendAsync(string what, HttpClient client, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (url.EndsWith("/events", StringComparison.Ordinal))
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
        }

        // Headers only: a stream that does answer 200 is dropped at once.
        return (what, await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what} answered {(int)response.StatusCode}, not 503: {await response.Content.ReadAsStringAsync()}");
        Assert.True(response.Headers.RetryAfter is not null, $"{what} answered 503 without Retry-After.");
    }

    /// <summary>The sample's twelve lines, numbered 0 to 11, then Succeeded.</summary>
    private static void AssertSucceededWithTwelveLines(List<ServerSentEvent> events, string id)
    {
        var lines = events.Lines().ToList();
        Assert.True(Enumerable.Range(0, 12).Select(i => $"{i}").SequenceEqual(lines.Select(e => e.Id)), $"Job {id}'s lines are numbered {string.Join(",", lines.Select(e => e.Id))}, not 0 to 11.");
        Assert.All(lines, AssertSampleLine);
        Assert.Equal("Succeeded", events[^1].State().GetProperty("state").GetString());
    }

    /// <summary>
    /// A re-created job's stream: its lines numbered densely from its <c>dropped</c> count (announced by a <c>dropped</c>
    /// event) to its <c>lineCount</c>, each with the text the sample wrote under that number.
    /// </summary>
    private static void AssertLinesKeptTheirNumbers(List<ServerSentEvent> events, JsonElement final)
    {
        var dropped = final.GetProperty("dropped").GetInt64();
        var count = final.GetProperty("lineCount").GetInt64();
        var lines = events.Lines().ToList();
        Assert.True(dropped < count, $"Every line of the job is gone (dropped {dropped} of {count}).");
        Assert.Equal(LongRange(dropped, count).Select(n => n.ToString(CultureInfo.InvariantCulture)), lines.Select(e => e.Id));
        if (dropped > 0)
        {
            Assert.Contains(events, e => e.Type == "dropped" && e.Data == dropped.ToString(CultureInfo.InvariantCulture));
        }

        Assert.All(lines.Where(line => line.Data != "Job canceled."), AssertSampleLine);
    }

    private static void AssertSampleLine(ServerSentEvent line)
    {
        var number = long.Parse(line.Id!, CultureInfo.InvariantCulture);
        switch (number)
        {
            case 0:
                Assert.StartsWith("Started at ", line.Data);
                break;
            case 1:
                Assert.Equal("hit f5 to refresh!", line.Data);
                break;
            default:
                Assert.StartsWith($"{number - 2}: ", line.Data);
                break;
        }
    }

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var n = from; n < to; n++)
        {
            yield return n;
        }
    }

    private static void AssertRunning(params RedisNode[] nodes) =>
        Assert.All(nodes, node => Assert.False(node.App.HasExited, $"{node.Name} exited:\n{node.App.Output}"));

    private static async Task ConfigSetAsync(RedisServer redis, params (string Name, string Value)[] settings)
    {
        foreach (var (name, value) in settings)
        {
            await redis.CliOkAsync("CONFIG", "SET", name, value);
        }
    }

    /// <summary>
    /// Polls <paramref name="attempt"/> (a few times a second) until it says done, failing with what it last saw after
    /// <paramref name="within"/>: every wait here is on something observable, bounded.
    /// </summary>
    private async Task EventuallyAsync(string what, TimeSpan within, Func<Task<(bool Done, string Seen)>> attempt)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < within)
        {
            bool done;
            (done, seen) = await attempt();
            if (done)
            {
                Log($"{what}: after {clock.Elapsed.TotalSeconds:0.0} s");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.Fail($"Not within {within.TotalSeconds:0.#} s: {what}. Last seen: {seen}");
    }

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>What happened when, in the test's output: where a failing test spent its time.</summary>
    private void Log(string step) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {step}");

    private Task<Scaffold> RedisScaffoldAsync() => pack.BuiltAsync("my-app", BgwebOptions.Split(BgwebOptions.Redis));

    /// <summary>node-a and node-b on the test's own redis-server, NodeTimeout 3 s unless <paramref name="settings"/> say otherwise.</summary>
    private async Task<RedisNodes> TwoNodesAsync(RedisServer redis, params (string Key, string Value)[] settings) =>
        await RedisNodes.StartTwoAsync(await RedisScaffoldAsync(), redis, [(NodeTimeoutSetting, $"{NodeTimeout:c}"), .. settings]);
}
