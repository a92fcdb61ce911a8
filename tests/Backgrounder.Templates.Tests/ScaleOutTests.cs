using System.Collections.Concurrent;
using System.Net;
using Backgrounder.Templates.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// <c>dotnet new bgweb --store redis</c>, run as two app processes sharing one redis-server, proved through HTTP
/// alone: every node serves every job, live, whichever node runs it; cancel crosses nodes; a node killed mid-job
/// leaves its job Interrupted, seen from the other; a paused Redis loses no line.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class ScaleOutTests(TemplatePackFixture pack, ITestOutputHelper output)
{
    private const string Interval = "Backgrounder:Samples:LongRunningInterval";

    [Theory]
    [InlineData("my-app")]
    [InlineData("Acme.Shop")]
    public async Task A_job_started_on_node_A_reads_as_text_json_and_a_live_stream_on_node_B_until_Succeeded_with_all_twelve_lines(string name)
    {
        await using var nodes = await TwoNodesAsync(name, (Interval, "00:00:00.200"));
        var id = await StartOnAsync(nodes.A);

        var text = await nodes.B.Client.GetStringAsync($"/?_t={id}");
        var status = await nodes.B.JsonAsync($"/jobs/{id}");
        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        Assert.StartsWith("Started at ", text);
        Assert.Equal("node-a", status.GetProperty("node").GetString());
        var lines = events.Lines().ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{i}"), lines.Select(e => e.Id));
        Assert.StartsWith("Started at ", lines[0].Data);
        Assert.Equal("hit f5 to refresh!", lines[1].Data);
        Assert.All(Enumerable.Range(0, 10), i => Assert.StartsWith($"{i}: ", lines[i + 2].Data));
        Assert.Equal("Succeeded", events[^1].State().GetProperty("state").GetString());
        Assert.Equal(12, (await nodes.B.Client.GetStringAsync($"/?_t={id}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task An_event_stream_read_on_A_resumes_on_B_from_its_Last_Event_ID_with_nothing_lost_or_repeated()
    {
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:00.300"));
        var id = await StartOnAsync(nodes.A);

        var first = await EventStreamClient.ReadAsync(nodes.A.Client, $"/jobs/{id}/events", enough: events => events.Lines().Count() == 5);
        var rest = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", lastEventId: first.Lines().Last().Id);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{i}"), first.Lines().Concat(rest.Lines()).Select(e => e.Id));
        Assert.Equal("Succeeded", rest[^1].State().GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_cancel_on_B_stops_the_job_running_on_A_at_once()
    {
        // Five seconds before each line: a job that stops before its first one was stopped by its token, not by its end.
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:05"));
        var id = await StartOnAsync(nodes.A);
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Any(e => e.Type == "state" && e.State().GetProperty("state").GetString() == "Running"));

        var cancel = await nodes.B.Client.PostAsync($"/jobs/{id}/cancel", null);
        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("Canceled", events[^1].State().GetProperty("state").GetString());
        Assert.Equal(["hit f5 to refresh!", "Job canceled."], events.Lines().Skip(1).Select(e => e.Data));
    }

    [Fact]
    public async Task When_node_A_is_killed_mid_job_node_B_shows_it_Interrupted_naming_A_and_ends_its_streams()
    {
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:00.500"), ("Backgrounder:Redis:NodeTimeout", "00:00:03"));
        var id = await StartOnAsync(nodes.A);
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Lines().Count() >= 4);

        var following = EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", lastEventId: "3");
        await nodes.A.App.KillAsync();
        var events = await following;

        var final = events[^1].State();
        Assert.Equal("Interrupted", final.GetProperty("state").GetString());
        Assert.Equal("Job interrupted: node node-a stopped responding.", events.Lines().Last().Data);
        Assert.True(events.Lines().Count() < 12 - 4, "The job ran to its end: it was never cut short.");
    }

    [Fact]
    public async Task When_node_A_stops_gracefully_mid_job_node_B_sees_its_final_state_at_once_not_after_NodeTimeout()
    {
        // A NodeTimeout far beyond the stream's wait: only A's own shutdown can end the job within it.
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:05"), ("Backgrounder:Redis:NodeTimeout", "00:05:00"));
        var id = await StartOnAsync(nodes.A);
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Any(e => e.Type == "state" && e.State().GetProperty("state").GetString() == "Running"));

        var following = EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");
        await nodes.A.App.StopAsync();
        var events = await following;

        // The sample honours its token: shutdown cancels it, and the node records that before it goes.
        Assert.Equal("Canceled", events[^1].State().GetProperty("state").GetString());
        Assert.Equal("Job canceled.", events.Lines().Last().Data);
        Assert.Equal("Canceled", (await nodes.B.JsonAsync($"/jobs/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task While_Redis_is_paused_requests_answer_503_quickly_and_afterwards_every_line_is_there_in_order()
    {
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:00.300"));
        var redis = await pack.RedisAsync();
        var id = await StartOnAsync(nodes.A);
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Lines().Count() >= 4);

        await redis.PauseAsync();
        HttpResponseMessage read, health;
        try
        {
            // The job on A goes on writing meanwhile; these answers take the client's timeout at most.
            read = await nodes.B.Client.GetAsync($"/jobs/{id}");
            health = await nodes.B.Client.GetAsync("/healthz");
        }
        finally
        {
            await redis.ResumeAsync();
        }

        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.NotNull(read.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{i}"), events.Lines().Select(e => e.Id));
        Assert.All(Enumerable.Range(0, 10), i => Assert.StartsWith($"{i}: ", events.Lines().ElementAt(i + 2).Data));
        Assert.Equal("Succeeded", events[^1].State().GetProperty("state").GetString());
    }

    [Fact]
    public async Task With_RequireOwner_the_owner_reads_its_job_on_either_node_and_a_stranger_on_neither()
    {
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:00.100"), ("Backgrounder:RequireOwner", "true"));
        var cookies = new CookieContainer();
        using var ownerOnA = nodes.A.App.CreateClient(cookies);
        using var ownerOnB = nodes.B.App.CreateClient(cookies);

        var location = (await ownerOnA.GetAsync("/")).Headers.Location!.OriginalString;

        Assert.Equal(HttpStatusCode.OK, (await ownerOnB.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.B.Client.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.A.Client.GetAsync(location)).StatusCode);
    }

    [Fact]
    public async Task A_page_in_Chromium_on_node_B_follows_a_job_that_node_A_runs()
    {
        await using var nodes = await TwoNodesAsync("my-app", (Interval, "00:00:00.300"));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var id = await StartOnAsync(nodes.A);

        await page.GotoAsync(new Uri(nodes.B.App.BaseAddress, $"/?_t={id}").ToString());

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        var lines = await page.Locator("#output > span:not(.dropped)").AllTextContentsAsync();
        Assert.Equal(12, lines.Count);
        Assert.StartsWith("9: ", lines[^1]);
        Assert.Contains("node-a", await page.Locator(".node").TextContentAsync());
    }

    [Fact]
    public async Task Ten_thousand_starts_across_two_nodes_are_each_accepted_or_refused_and_every_accepted_job_ends_with_all_its_lines()
    {
        const int Starts = 10_000;
        await using var nodes = await TwoNodesAsync("my-app",
            (Interval, "00:00:00.001"),
            ("Backgrounder:MaxConcurrentJobs", "4"),
            ("Backgrounder:QueueCapacity", "500"),
            ("Backgrounder:MaxRetainedJobs", "100000"));
        var accepted = new ConcurrentBag<(RedisNode Reader, string Id)>();
        var refused = 0;
        var unexpected = new ConcurrentBag<int>();

        await Parallel.ForAsync(0, Starts, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
        {
            var (starter, reader) = i % 2 == 0 ? (nodes.A, nodes.B) : (nodes.B, nodes.A);
            using var response = await starter.Client.GetAsync("/", token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.SeeOther:
                    accepted.Add((reader, response.Headers.Location!.OriginalString[^22..]));
                    break;
                case HttpStatusCode.ServiceUnavailable:
                    Interlocked.Increment(ref refused);
                    break;
                default:
                    unexpected.Add((int)response.StatusCode);
                    break;
            }
        });

        output.WriteLine($"{accepted.Count} accepted, {refused} refused");
        Assert.Empty(unexpected);
        Assert.Equal(Starts, accepted.Count + refused);
        Assert.True(accepted.Count >= 1000, $"Only {accepted.Count} accepted with two queues of 500.");
        foreach (var (reader, id) in accepted)
        {
            // Read on the node that did not start it; the stream ends with the final state.
            var events = await EventStreamClient.ReadAsync(reader.Client, $"/jobs/{id}/events");
            Assert.Equal("Succeeded", events[^1].State().GetProperty("state").GetString());
            Assert.Equal(12, events.Lines().Count());
            Assert.StartsWith("9: ", events.Lines().Last().Data);
        }
    }

    private static Task<string> StartOnAsync(RedisNode node) => node.StartJobAsync();

    /// <summary>Two processes of the scaffolded app on the collection's redis-server, under a key prefix of this test's own.</summary>
    private async Task<RedisNodes> TwoNodesAsync(string name, params (string Key, string Value)[] settings) =>
        await RedisNodes.StartTwoAsync(await pack.BuiltAsync(name, BgwebOptions.Split(BgwebOptions.Redis)), await pack.RedisAsync(), settings);
}
