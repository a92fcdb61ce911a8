using System.Net;
using System.Text.Json;
using Company.WebApplication1.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.WebApplication1.Tests;

/// <summary>GET /jobs/{id}/events: the output pushed as server-sent events, resumable with Last-Event-ID.</summary>
public sealed class JobEventStreamTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxOutputLines", "100000"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Each_line_is_an_event_whose_id_is_its_sequence_number_then_the_final_state_ends_the_stream()
    {
        var job = await FinishedJobWithLinesAsync("first", "second");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events");

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache", stream.Response.Headers.CacheControl!.ToString());
        Assert.Equal(["id: 0", "event: line", "data: first"], await stream.ReadFrameAsync());
        Assert.Equal(["id: 1", "event: line", "data: second"], await stream.ReadFrameAsync());
        var state = await stream.ReadFrameAsync();
        Assert.Equal("event: state", state![0]);
        Assert.Equal("Succeeded", JsonDocument.Parse(state[1]["data: ".Length..]).RootElement.GetProperty("state").GetString());
        Assert.Null(await stream.ReadFrameAsync());
    }

    [Fact]
    public async Task Lines_arrive_as_the_job_writes_them_with_a_state_event_on_every_change()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;
        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events");

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
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        script.WriteLine("line 0");
        script.WriteLine("line 1");
        var client = _app.CreatePlainClient();

        string? lastEventId;
        using (var first = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events"))
        {
            var seen = await ReadLinesAsync(first, 2);
            lastEventId = seen[^1].Id;
        }

        script.WriteLine("line 2");
        script.WriteLine("line 3");
        script.Finish();
        await job.WaitUntilFinishedAsync();
        using var second = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events", lastEventId);
        var resumed = await second.ReadToEndAsync();

        Assert.Equal("1", lastEventId);
        Assert.Equal(
            [new ServerSentEvent("2", "line", "line 2"), new ServerSentEvent("3", "line", "line 3")],
            resumed.Where(e => e.Type == "line"));
        Assert.Equal("state", resumed[^1].Type);
    }

    [Fact]
    public async Task The_lastEventId_query_parameter_resumes_too_and_the_header_wins_over_it()
    {
        var job = await FinishedJobWithLinesAsync("a", "b", "c", "d");
        var client = _app.CreatePlainClient();

        using var byQuery = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events?lastEventId=1");
        using var byBoth = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events?lastEventId=0", lastEventId: "2");

        Assert.Equal(["c", "d"], (await byQuery.ReadToEndAsync()).Where(e => e.Type == "line").Select(e => e.Data));
        Assert.Equal(["d"], (await byBoth.ReadToEndAsync()).Where(e => e.Type == "line").Select(e => e.Data));
    }

    [Fact]
    public async Task A_Last_Event_ID_past_the_end_repeats_nothing()
    {
        var job = await FinishedJobWithLinesAsync("a", "b");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events", lastEventId: "5");

        Assert.Equal("state", Assert.Single(await stream.ReadToEndAsync()).Type);
    }

    [Fact]
    public async Task A_stream_ends_when_the_app_stops_even_for_a_job_still_queued()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var busy = new ScriptedJob();
        app.Jobs.Start(busy.RunAsync);
        await busy.Started;
        var queued = app.GetJob(app.Jobs.Start((_, _) => Task.CompletedTask));
        using var stream = await EventStream.OpenAsync(app.CreatePlainClient(), $"/jobs/{queued.Id}/events");
        Assert.Equal("Queued", State((await stream.ReadAsync())!).GetProperty("state").GetString());

        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        Assert.Empty(await stream.ReadToEndAsync());
    }

    [Fact]
    public async Task Lines_dropped_before_the_resume_point_are_announced_rather_than_skipped_silently()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxOutputLines", "3"));
        var job = app.GetJob(app.Jobs.Start((context, _) =>
        {
            for (var i = 0; i < 6; i++)
            {
                context.WriteLine($"line {i}");
            }

            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();

        using var stream = await EventStream.OpenAsync(app.CreatePlainClient(), $"/jobs/{job.Id}/events", lastEventId: "0");
        var events = await stream.ReadToEndAsync();

        Assert.Equal(new ServerSentEvent(null, "dropped", "2"), events[0]);
        Assert.Equal(["3", "4", "5"], events.Where(e => e.Type == "line").Select(e => e.Id));
    }

    [Fact]
    public async Task A_line_break_inside_a_line_cannot_end_the_event_early_or_forge_another()
    {
        var job = await FinishedJobWithLinesAsync("a\nevent: state\r\ndata: forged\rz");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events");
        var frame = await stream.ReadFrameAsync();

        Assert.Equal(["id: 0", "event: line", "data: a", "data: event: state", "data: data: forged", "data: z"], frame);
        Assert.Equal("state", (await stream.ReadAsync())!.Type);
        Assert.Null(await stream.ReadAsync());
    }

    [Fact]
    public async Task A_heartbeat_comment_is_sent_every_15_seconds()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;
        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events");
        Assert.Equal("state", (await stream.ReadAsync())!.Type);

        _app.Time.Advance(JobEventStream.HeartbeatInterval);
        var first = await stream.ReadFrameAsync();
        _app.Time.Advance(JobEventStream.HeartbeatInterval);
        var second = await stream.ReadFrameAsync();

        Assert.Equal([": heartbeat"], first);
        Assert.Equal([": heartbeat"], second);
        script.Finish();
    }

    [Fact]
    public async Task Many_clients_follow_one_job_and_one_that_stops_reading_slows_neither_the_job_nor_the_others()
    {
        const int Lines = 20_000;
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;
        var client = _app.CreatePlainClient();
        using var stalled = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events");
        using var first = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events");
        using var second = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events");

        var received = new[] { first, second }.Select(follower => follower.ReadToEndAsync()).ToList();
        for (var i = 0; i < Lines; i++)
        {
            script.WriteLine($"line {i} {new string('x', 100)}");
        }

        script.Finish();
        await job.WaitUntilFinishedAsync();

        foreach (var events in await Task.WhenAll(received).WaitAsync(JobWaiting.Timeout))
        {
            var lines = events.Where(e => e.Type == "line").ToList();
            Assert.Equal(Lines, lines.Count);
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
        var job = await FinishedJobWithLinesAsync("a");

        using var stream = await EventStream.OpenAsync(_app.CreatePlainClient(), $"/jobs/{job.Id}/events", lastEventId);

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

    private async Task<Job> FinishedJobWithLinesAsync(params string[] lines)
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            foreach (var line in lines)
            {
                context.WriteLine(line);
            }

            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();
        return job;
    }
}
