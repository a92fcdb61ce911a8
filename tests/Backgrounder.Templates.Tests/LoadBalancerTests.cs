using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Backgrounder.Templates.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// <c>dotnet new bgweb --store redis</c> as deployed: two nodes in Production behind nginx (round robin, its default
/// proxy buffering, TLS ending at nginx), each client from an address of its own. The per-client limits count the
/// client nginx forwards, never nginx itself, and the start limit holds across nodes; event streams stay live through
/// the proxy; cancel works whichever node nginx picks; a node killed leaves its jobs Interrupted while nginx sends new
/// starts to the live one; nodes name themselves without the machine's name; the owner cookie is Secure behind TLS;
/// and a browser follows a job through nginx.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class LoadBalancerTests(TemplatePackFixture pack, ITestOutputHelper output)
{
    private const string Interval = "Backgrounder:Samples:LongRunningInterval";
    private const string StartsPerMinute = "Backgrounder:StartsPerMinutePerClient";
    private const string MaxEventStreams = "Backgrounder:MaxEventStreamsPerClient";

    [Fact]
    public async Task Forty_clients_each_from_its_own_address_start_and_follow_a_job_live_through_nginx_and_none_is_refused_by_the_per_client_limits()
    {
        // Limits a single client would exceed at once: counted for nginx's own address, 38 of the 40 starts would be 429.
        const int Clients = 40;
        var interval = TimeSpan.FromMilliseconds(250);
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, $"{interval:c}"), (StartsPerMinute, "2"), (MaxEventStreams, "1"));
        await using var nginx = await NginxAsync(nodes);

        var clients = await Task.WhenAll(Enumerable.Range(1, Clients).Select(async n =>
        {
            using var client = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(n));
            using var start = await client.GetAsync("/");
            if (start.StatusCode != HttpStatusCode.SeeOther)
            {
                return (Client: n, Start: start.StatusCode, Events: new List<ServerSentEvent>(), Spread: TimeSpan.Zero);
            }

            // When each event arrives: a stream nginx held back until the job ended would arrive all at once.
            var clock = Stopwatch.StartNew();
            var arrivals = new List<TimeSpan>();
            var events = await EventStreamClient.ReadAsync(client, $"/jobs/{RedisNode.JobIdOf(start.Headers.Location!)}/events", enough: _ =>
            {
                arrivals.Add(clock.Elapsed);
                return false;
            });
            return (Client: n, Start: start.StatusCode, Events: events, Spread: arrivals[^1] - arrivals[0]);
        }));

        output.WriteLine($"Spread of each stream's events: {string.Join(", ", clients.Select(c => $"{c.Spread.TotalSeconds:0.00}"))} s");
        Assert.Empty(clients.Where(c => c.Start != HttpStatusCode.SeeOther).Select(c => $"127.0.1.{c.Client}: {(int)c.Start}"));
        Assert.All(clients, c =>
        {
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{i}"), c.Events.Lines().Select(e => e.Id));
            Assert.StartsWith("9: ", c.Events.Lines().Last().Data);
            Assert.Equal("Succeeded", c.Events[^1].State().GetProperty("state").GetString());
            Assert.True(c.Spread >= interval * 3, $"127.0.1.{c.Client}: every event came within {c.Spread.TotalMilliseconds:0} ms: the stream was not live.");
        });
    }

    [Fact]
    public async Task The_start_limit_of_a_client_holds_across_both_nodes_behind_nginx_and_another_client_is_still_accepted()
    {
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, "00:00:00.100"), (StartsPerMinute, "2"));
        await using var nginx = await NginxAsync(nodes);
        using var x = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(1));
        using var y = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(2));

        // Round robin: the first start goes to one node, the second to the other, the third to the first again.
        var first = await RedisNode.StartJobAsync(x);
        var second = await RedisNode.StartJobAsync(x);
        using var third = await x.GetAsync("/");
        var other = await RedisNode.StartJobAsync(y);

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.InRange(third.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.NotEqual(await NodeOfAsync(x, first), await NodeOfAsync(x, second));
        Assert.Equal("Succeeded", (await EventStreamClient.ReadAsync(y, $"/jobs/{other}/events"))[^1].State().GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_cancel_through_nginx_stops_the_job_whichever_node_runs_it()
    {
        // Five seconds before each line: a job that stops before its first one was stopped by its token, not by its end.
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, "00:00:05"));
        await using var nginx = await NginxAsync(nodes);
        using var client = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(1));
        var id = await RedisNode.StartJobAsync(client);
        // Seen Running through the proxy while the job waits for its first line: the stream is live, not buffered.
        await EventStreamClient.ReadAsync(client, $"/jobs/{id}/events", enough: events => events.Any(e => e.Type == "state" && e.State().GetProperty("state").GetString() == "Running"));

        using var cancel = await client.PostAsync($"/jobs/{id}/cancel", null);
        var events = await EventStreamClient.ReadAsync(client, $"/jobs/{id}/events");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("Canceled", events[^1].State().GetProperty("state").GetString());
        Assert.Equal(["hit f5 to refresh!", "Job canceled."], events.Lines().Skip(1).Select(e => e.Data));
    }

    [Fact]
    public async Task When_a_node_behind_nginx_is_killed_its_jobs_end_Interrupted_and_nginx_sends_new_starts_to_the_live_node()
    {
        const int Jobs = 6;
        await using var nodes = await ProductionNodesAsync(named: true, (Interval, "00:00:00.500"), ("Backgrounder:Redis:NodeTimeout", "00:00:03"));
        await using var nginx = await NginxAsync(nodes);
        using var client = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(1));
        // Round robin: one start to each node in turn (all starts first, as every request takes the next node).
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add(await RedisNode.StartJobAsync(client));
        }

        var jobs = new List<(string Id, string Node)>();
        foreach (var id in ids)
        {
            jobs.Add((id, await NodeOfAsync(client, id)));
        }

        Assert.Equal(["node-a", "node-b"], jobs.Select(job => job.Node).Distinct().Order());
        // Every job has written lines of its own: each runs when node-a goes.
        await Task.WhenAll(jobs.Select(job => EventStreamClient.ReadAsync(client, $"/jobs/{job.Id}/events", enough: events => events.Lines().Count() >= 3)));

        await nodes.A.App.KillAsync();
        var ended = await Task.WhenAll(jobs.Select(async job => (job.Node, Events: await EventStreamClient.ReadAsync(client, $"/jobs/{job.Id}/events"))));
        var after = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(async _ =>
        {
            var id = await RedisNode.StartJobAsync(client);
            return (Node: await NodeOfAsync(client, id), Events: await EventStreamClient.ReadAsync(client, $"/jobs/{id}/events"));
        }));

        output.WriteLine($"nginx's access log:\n{nginx.AccessLog}\nnginx's error log:\n{nginx.ErrorLog}");
        Assert.All(ended.Where(job => job.Node == "node-a"), job =>
        {
            Assert.Equal("Interrupted", job.Events[^1].State().GetProperty("state").GetString());
            Assert.Equal("Job interrupted: node node-a stopped responding.", job.Events.Lines().Last().Data);
        });
        Assert.All(ended.Where(job => job.Node == "node-b"), job => Assert.Equal("Succeeded", job.Events[^1].State().GetProperty("state").GetString()));
        Assert.All(after, job =>
        {
            Assert.Equal("node-b", job.Node);
            Assert.Equal(12, job.Events.Lines().Count());
            Assert.Equal("Succeeded", job.Events[^1].State().GetProperty("state").GetString());
        });
    }

    [Fact]
    public async Task Unnamed_nodes_in_Production_name_themselves_node_and_six_hex_digits_never_after_the_machine()
    {
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, "00:00:00.100"));
        await using var nginx = await NginxAsync(nodes);
        using var client = LoopbackClient.Create(nginx.HttpBaseAddress, LoopbackClient.Address(1));

        // Round robin: one job on each node (both starts first, as every request takes the next node).
        var (first, second) = (await RedisNode.StartJobAsync(client), await RedisNode.StartJobAsync(client));
        var names = new[] { await NodeOfAsync(client, first), await NodeOfAsync(client, second) };

        output.WriteLine($"Nodes: {string.Join(", ", names)}; machine: {Environment.MachineName}");
        Assert.All(names, name =>
        {
            Assert.Matches("^node-[0-9a-f]{6}$", name);
            Assert.DoesNotContain(Environment.MachineName, name, StringComparison.OrdinalIgnoreCase);
        });
        Assert.NotEqual(names[0], names[1]);
    }

    [Fact]
    public async Task Behind_TLS_at_nginx_the_owner_cookie_is_a_Secure_Host_cookie_the_redirect_stays_relative_and_only_the_owner_reads_the_job()
    {
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, "00:00:00.100"), ("Backgrounder:RequireOwner", "true"));
        await using var nginx = await NginxAsync(nodes);
        using var owner = LoopbackClient.Create(nginx.HttpsBaseAddress, LoopbackClient.Address(1));
        using var stranger = LoopbackClient.Create(nginx.HttpsBaseAddress, LoopbackClient.Address(2));

        using var start = await owner.GetAsync("/");
        var location = start.Headers.Location!;
        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        // A Secure cookie goes back over https only: the owner's next requests (to either node) carry it.
        using var read = await owner.GetAsync(location);
        using var readElsewhere = await owner.GetAsync(location);
        using var strangerRead = await stranger.GetAsync(location);

        Assert.Equal(HttpStatusCode.SeeOther, start.StatusCode);
        Assert.StartsWith("__Host-backgrounder-owner=", cookie);
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(!location.IsAbsoluteUri || location.Scheme == Uri.UriSchemeHttps, $"The redirect leaves https: {location}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readElsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, strangerRead.StatusCode);
    }

    [Fact]
    public async Task A_page_in_Chromium_starts_and_follows_a_job_live_through_nginx()
    {
        const string Lines = "#output > span:not(.dropped)";
        await using var nodes = await ProductionNodesAsync(named: false, (Interval, "00:00:00.300"));
        await using var nginx = await NginxAsync(nodes);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();

        await page.GotoAsync(nginx.HttpBaseAddress.ToString());
        var loaded = await page.Locator(Lines).CountAsync();

        // Lines that were not there when the page loaded appear while the job still runs: the stream is live.
        await page.WaitForFunctionAsync(
            "n => document.querySelectorAll('#output > span:not(.dropped)').length > n && document.getElementById('state').textContent === 'Running'",
            loaded,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
        var lines = await page.Locator(Lines).AllTextContentsAsync();

        Assert.Matches(@"/\?_t=[A-Za-z0-9_-]{22}$", page.Url);
        Assert.Equal(12, lines.Count);
        Assert.StartsWith("9: ", lines[^1]);
        Assert.Matches("node-[0-9a-f]{6}", await page.Locator(".node").TextContentAsync());
    }

    private static async Task<string> NodeOfAsync(HttpClient client, string id) =>
        JsonDocument.Parse(await client.GetStringAsync($"/jobs/{id}")).RootElement.GetProperty("node").GetString()!;

    private static Task<NginxServer> NginxAsync(RedisNodes nodes) => NginxServer.StartAsync(nodes.A.App.BaseAddress, nodes.B.App.BaseAddress);

    /// <summary>Two Production processes of the scaffolded app on the collection's redis-server, under a key prefix of this test's own.</summary>
    private async Task<RedisNodes> ProductionNodesAsync(bool named, params (string Key, string Value)[] settings) =>
        await RedisNodes.StartTwoAsync(await pack.BuiltAsync("my-app", BgwebOptions.Split(BgwebOptions.Redis)), await pack.RedisAsync(), "Production", named, settings);
}
