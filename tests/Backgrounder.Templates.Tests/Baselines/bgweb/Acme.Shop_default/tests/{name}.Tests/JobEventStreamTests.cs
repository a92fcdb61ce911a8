using System.Net;
using System.Text.Json;
using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Shop.Tests;

/// <summary>GET /jobs/{id}/events: the output pushed as server-sent events, resumable with Last-Event-ID.</summary>
public sealed class JobEventStreamTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxOutputLines", "100000"), ("Backgrounder:MaxOutputBytes", "100000000"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Each_line_is_an_event_whose_id_is_its_number_then_the_final_state_ends_the_stream()
    {
        var id = await FinishedJobWithLinesAsync("first", "second");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events");

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.MediaType);
        Assert.True(stream.Response.Headers.CacheControl!.NoStore);
        Assert.Equal(new ServerSentEvent("0", "line", "first"), await stream.ReadAsync());
        Assert.Equal(new ServerSentEvent("1", "line", "second"), await stream.ReadAsync());
        var state = await stream.ReadAsync();
        Assert.Equal("Succeeded", State(state!).GetProperty("state").GetString());

        // One past the last line: a client that reconnects with it has seen everything.
        Assert.Equal("2", state!.Id);
        Assert.Null(await stream.ReadAsync());
    }

    [Fact]
    public async Task The_state_event_is_the_same_record_as_the_status_json()
    {
        var id = await FinishedJobWithLinesAsync("only");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events");
        var state = State((await stream.ReadThroughAsync("state"))[^1]);
        var json = JsonDocument.Parse(await _app.CreatePlainClient().GetStringAsync($"/jobs/{id}")).RootElement;

        foreach (var property in state.EnumerateObject())
        {
            Assert.Equal(property.Value.ToString(), json.GetProperty(property.Name).ToString());
        }

        Assert.Equal(
            state.EnumerateObject().Select(p => p.Name).Concat(["from", "lines"]),
            json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Lines_arrive_as_the_job_writes_them_with_a_state_event_on_every_change()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        await _app.Store.WaitForAsync(id, status => status.State == JobState.Running);
        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events");

        var running = await stream.ReadAsync();
        script.WriteLine("hello");
        var line = await stream.ReadAsync();
        script.ReportProgress(0.5);
        var halfway = await stream.ReadAsync();
        script.Finish();
        var rest = await stream.ReadToEndAsync();

        Assert.Equal("Running", State(running!).GetProperty("state").GetString());
        Assert.Equal(new ServerSentEvent("0", "line", "hello"), line);
        Assert.Equal(0.5, State(halfway!).GetProperty("progress").GetDouble());
        var final = State(Assert.Single(rest));
        Assert.Equal("Succeeded", final.GetProperty("state").GetString());
        Assert.True(final.GetProperty("isFinished").GetBoolean());
    }

    [Fact]
    public async Task A_client_reconnecting_with_Last_Event_ID_gets_the_rest_with_nothing_lost_or_repeated()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        script.WriteLine("line 0");
        script.WriteLine("line 1");
        var client = _app.CreatePlainClient();

        string? lastEventId;
        using (var first = await EventStream.OpenAsync(client, $"/jobs/{id}/events"))
        {
            var seen = await ReadLinesAsync(first, 2);
            lastEventId = seen[^1].Id;
        }

        script.WriteLine("line 2");
        script.WriteLine("line 3");
        script.Finish();
        await _app.Store.WaitUntilFinishedAsync(id);
        using var second = await EventStream.OpenAsync(client, $"/jobs/{id}/events", lastEventId);
        var resumed = await second.ReadToEndAsync();

        Assert.Equal("1", lastEventId);
        Assert.Equal(
            [new ServerSentEvent("2", "line", "line 2"), new ServerSentEvent("3", "line", "line 3")],
            resumed.Where(e => e.Type == "line"));
        Assert.Equal("state", resumed[^1].Type);
    }

    [Fact]
    public async Task Once_a_client_has_everything_of_a_finished_job_a_reconnect_gets_204_so_EventSource_stops()
    {
        var id = await FinishedJobWithLinesAsync("a", "b");
        var client = _app.CreatePlainClient();
        using var first = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        var lastId = (await first.ReadToEndAsync()).Last(e => e.Id is not null).Id;

        using var again = await EventStream.OpenAsync(client, $"/jobs/{id}/events", lastId);
        using var missingOnlyTheState = await EventStream.OpenAsync(client, $"/jobs/{id}/events", "1");

        Assert.Equal(HttpStatusCode.NoContent, again.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, missingOnlyTheState.Response.StatusCode);
        Assert.Equal("state", Assert.Single(await missingOnlyTheState.ReadToEndAsync()).Type);
    }

    [Fact]
    public async Task The_lastEventId_query_parameter_resumes_too_and_the_header_wins_over_it()
    {
        var id = await FinishedJobWithLinesAsync("a", "b", "c", "d");
        var client = _app.CreatePlainClient();

        using var byQuery = await EventStream.OpenAsync(client, $"/jobs/{id}/events?lastEventId=1");
        using var byBoth = await EventStream.OpenAsync(client, $"/jobs/{id}/events?lastEventId=0", lastEventId: "2");

        Assert.Equal(["c", "d"], (await byQuery.ReadToEndAsync()).Where(e => e.Type == "line").Select(e => e.Data));
        Assert.Equal(["d"], (await byBoth.ReadToEndAsync()).Where(e => e.Type == "line").Select(e => e.Data));
    }

    [Fact]
    public async Task A_Last_Event_ID_past_the_end_of_a_running_job_waits_and_repeats_nothing()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        script.WriteLine("a");
        await _app.Store.WaitForLinesAsync(id, 1);

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events", lastEventId: "5");
        script.Finish();

        Assert.All(await stream.ReadToEndAsync(), e => Assert.Equal("state", e.Type));
    }

    [Fact]
    public async Task A_stream_ends_when_the_app_stops_even_for_a_job_still_queued()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var busy = new ScriptedJob();
        await app.StartAsync(busy.RunAsync);
        await busy.Started;
        var queued = await app.StartAsync((_, _) => Task.CompletedTask);
        using var stream = await EventStream.OpenAsync(app.CreatePlainClient(), $"/jobs/{queued}/events");
        Assert.Equal("Queued", State((await stream.ReadAsync())!).GetProperty("state").GetString());

        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        // Ends rather than hold the app's shutdown; the client reconnects elsewhere with Last-Event-ID.
        await stream.ReadToEndAsync();
    }

    [Fact]
    public async Task Lines_dropped_before_the_resume_point_are_announced_rather_than_skipped_silently()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxOutputLines", "3"));
        var id = await app.StartAsync((context, _) =>
        {
            for (var i = 0; i < 6; i++)
            {
                context.WriteLine($"line {i}");
            }

            return Task.CompletedTask;
        });
        await app.Store.WaitUntilFinishedAsync(id);

        using var stream = await EventStream.OpenAsync(app.CreatePlainClient(), $"/jobs/{id}/events", lastEventId: "0");
        var events = await stream.ReadToEndAsync();

        Assert.Equal(new ServerSentEvent(null, "dropped", "2"), events[0]);
        Assert.Equal(["3", "4", "5"], events.Where(e => e.Type == "line").Select(e => e.Id));
    }

    [Fact]
    public async Task A_line_break_inside_a_line_cannot_end_the_event_early_or_forge_another()
    {
        var id = await FinishedJobWithLinesAsync("a\nevent: state\r\ndata: forged\rz");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events");
        var frame = await stream.ReadFrameAsync();

        Assert.Equal(["event: line", "data: a", "data: event: state", "data: data: forged", "data: z", "id: 0"], frame);
        Assert.Equal("state", (await stream.ReadAsync())!.Type);
        Assert.Null(await stream.ReadAsync());
    }

    [Fact]
    public async Task A_heartbeat_is_sent_every_15_seconds_while_nothing_happens()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events");
        Assert.Equal("state", (await stream.ReadThroughAsync("state"))[^1].Type);

        var heartbeats = new List<ServerSentEvent?>();
        for (var i = 0; i < 2; i++)
        {
            var next = stream.ReadAsync();
            await _app.Time.RunUntilAsync(next, JobEndpoints.HeartbeatInterval);
            heartbeats.Add(await next);
        }

        Assert.All(heartbeats, heartbeat => Assert.Equal(new ServerSentEvent(null, "heartbeat", ""), heartbeat));
        script.Finish();
    }

    [Fact]
    public async Task After_EventStreamLifetime_a_stream_ends_with_retry_and_the_client_resumes_where_it_was()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:EventStreamLifetime", "00:01:00"));
        var script = new ScriptedJob();
        var id = await app.StartAsync(script.RunAsync);
        script.WriteLine("before");
        await app.Store.WaitForLinesAsync(id, 1);
        var client = app.CreatePlainClient();
        using var stream = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        var seen = await stream.ReadThroughAsync("state");

        var rest = stream.ReadToEndAsync();
        await app.Time.RunUntilAsync(rest, TimeSpan.FromMinutes(1));
        script.WriteLine("after");
        script.Finish();
        using var resumed = await EventStream.OpenAsync(client, $"/jobs/{id}/events", seen.Last(e => e.Id is not null).Id);

        Assert.Equal((long)JobEndpoints.ReconnectAfter.TotalMilliseconds, (await rest).Last().Retry);
        Assert.Equal(["after"], (await resumed.ReadToEndAsync()).Where(e => e.Type == "line").Select(e => e.Data));
    }

    [Fact]
    public async Task One_client_may_hold_MaxEventStreamsPerClient_streams_and_one_more_is_429_with_Retry_After()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxEventStreamsPerClient", "2"));
        var script = new ScriptedJob();
        var id = await app.StartAsync(script.RunAsync);
        var client = app.CreatePlainClient();
        using var first = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        using var second = await EventStream.OpenAsync(client, $"/jobs/{id}/events");

        using var third = await EventStream.OpenAsync(client, $"/jobs/{id}/events");

        Assert.Equal(HttpStatusCode.OK, second.Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.Response.StatusCode);
        Assert.NotNull(third.Response.Headers.RetryAfter);
        script.Finish();
        await first.ReadToEndAsync();
        await second.ReadToEndAsync();
        using var again = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
    }

    [Fact]
    public async Task Many_clients_follow_one_job_and_one_that_stops_reading_slows_neither_the_job_nor_the_others()
    {
        const int Lines = 20_000;
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        var client = _app.CreatePlainClient();
        using var stalled = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        using var first = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        using var second = await EventStream.OpenAsync(client, $"/jobs/{id}/events");

        var received = new[] { first, second }.Select(follower => follower.ReadToEndAsync()).ToList();
        for (var i = 0; i < Lines; i++)
        {
            script.WriteLine($"line {i} {new string('x', 100)}");
        }

        script.Finish();
        await _app.Store.WaitUntilFinishedAsync(id);

        foreach (var events in await Task.WhenAll(received).WaitAsync(JobWaiting.Timeout))
        {
            var lines = events.Where(e => e.Type == "line").ToList();
            Assert.Equal(Enumerable.Range(0, Lines).Select(i => i.ToString()), lines.Select(e => e.Id));
            Assert.Equal("Succeeded", State(events[^1]).GetProperty("state").GetString());
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    public async Task A_bad_Last_Event_ID_is_400(string lastEventId)
    {
        var id = await FinishedJobWithLinesAsync("a");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{id}/events", lastEventId);

        Assert.Equal(HttpStatusCode.BadRequest, stream.Response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_id_is_400_and_an_unknown_one_404()
    {
        var client = _app.CreatePlainClient();

        var malformed = await client.GetAsync("/jobs/%3Cscript%3E/events");
        var unknown = await client.GetAsync($"/jobs/{JobId.New()}/events");

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static JsonElement State(ServerSentEvent e)
    {
        Assert.Equal("state", e.Type);
        return JsonDocument.Parse(e.Data).RootElement;
    }

    private static async Task<List<ServerSentEvent>> ReadLinesAsync(EventStream stream, int count)
    {
        var lines = new List<ServerSentEvent>();
        while (lines.Count < count && await stream.ReadAsync() is { } next)
        {
            if (next.Type == "line")
            {
                lines.Add(next);
            }
        }

        return lines;
    }

    private async Task<JobId> FinishedJobWithLinesAsync(params string[] lines)
    {
        var id = await _app.StartAsync((context, _) =>
        {
            foreach (var line in lines)
            {
                context.WriteLine(line);
            }

            return Task.CompletedTask;
        });
        await _app.Store.WaitUntilFinishedAsync(id);
        return id;
    }
}
