using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acme.Shop.Background;

namespace Acme.Shop.Tests;

/// <summary>POST /jobs/{id}/cancel: the seed could not stop a thread once started; here the job's token fires.</summary>
public sealed class JobCancelTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxConcurrentJobs", "1"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Canceling_a_running_job_fires_its_token_and_it_ends_Canceled()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        var token = await script.Started;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(fired.SetResult);

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/jobs/{id}", response.Headers.Location!.OriginalString);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelRequested").GetBoolean());
        await fired.Task.WaitAsync(JobWaiting.Timeout);
        var status = await _app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal(JobState.Canceled, status.State);
        Assert.Equal(IJobStore.CanceledLine, (await _app.Store.LinesAsync(id))[^1]);
    }

    [Fact]
    public async Task A_queued_job_is_Canceled_at_once_and_never_runs()
    {
        var busy = new ScriptedJob();
        var busyId = await _app.StartAsync(busy.RunAsync);
        await busy.Started;
        var queued = new ScriptedJob();
        var queuedId = await _app.StartAsync(queued.RunAsync);

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{queuedId}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await _app.Store.StatusAsync(queuedId);
        Assert.Equal(JobState.Canceled, status.State);
        Assert.Equal([IJobStore.CanceledLine], await _app.Store.LinesAsync(queuedId));

        // One worker takes jobs in order: once a later job has run, the canceled one has been passed over.
        busy.Finish();
        var later = await _app.StartAsync((_, _) => Task.CompletedTask);
        await _app.Store.WaitUntilFinishedAsync(later);
        Assert.False(queued.HasStarted);
        Assert.Null((await _app.Store.StatusAsync(queuedId)).StartedAt);
        Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(busyId)).State);
    }

    [Fact]
    public async Task Canceling_twice_is_accepted_twice_and_the_job_ends_once()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        var client = _app.CreatePlainClient();

        var first = await client.PostAsync($"/jobs/{id}/cancel", null);
        var second = await client.PostAsync($"/jobs/{id}/cancel", null);
        await _app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(second.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict);
        Assert.Single(await _app.Store.LinesAsync(id), line => line == IJobStore.CanceledLine);
    }

    [Fact]
    public async Task Canceling_a_finished_job_is_409()
    {
        var id = await _app.StartAsync((_, _) => Task.CompletedTask);
        await _app.Store.WaitUntilFinishedAsync(id);

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Succeeded", await response.Content.ReadAsStringAsync());
        Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(id)).State);
    }

    [Fact]
    public async Task Canceling_an_unknown_job_is_404_and_a_malformed_id_400()
    {
        var client = _app.CreatePlainClient();

        var unknown = await client.PostAsync($"/jobs/{JobId.New()}/cancel", null);
        var malformed = await client.PostAsync("/jobs/123/cancel", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Cancel_is_POST_only_so_a_link_or_a_prefetch_cannot_cancel()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;

        var response = await _app.CreatePlainClient().GetAsync($"/jobs/{id}/cancel");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(JobState.Running, (await _app.Store.StatusAsync(id)).State);
        script.Finish();
    }

    [Fact]
    public async Task The_event_stream_shows_the_cancel_request_and_ends_with_Canceled()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        var client = _app.CreatePlainClient();
        using var stream = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        await stream.ReadThroughAsync("state");

        await client.PostAsync($"/jobs/{id}/cancel", null);
        var events = await stream.ReadToEndAsync();

        Assert.Contains(new ServerSentEvent("0", "line", IJobStore.CanceledLine), events);
        var final = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal("Canceled", final.GetProperty("state").GetString());
        Assert.True(final.GetProperty("cancelRequested").GetBoolean());
    }
}
