using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>POST /jobs/{id}/cancel: the seed could not stop a thread once started; here the job's token fires.</summary>
public sealed class JobCancelTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxConcurrentJobs", "1"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Canceling_a_running_job_fires_its_token_at_once_and_it_ends_Canceled()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        var token = await script.Started;

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{job.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal($"/jobs/{job.Id}", response.Headers.Location!.OriginalString);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelRequested").GetBoolean());
        await job.WaitUntilFinishedAsync();
        Assert.Equal(JobState.Canceled, job.Status.State);
        Assert.Equal(Job.CanceledLine, job.Output.Read().Lines[^1]);
    }

    [Fact]
    public async Task A_queued_job_is_Canceled_at_once_and_never_runs()
    {
        var busy = new ScriptedJob();
        var busyJob = _app.GetJob(_app.Jobs.Start(busy.RunAsync));
        await busy.Started;
        var queued = new ScriptedJob();
        var queuedJob = _app.GetJob(_app.Jobs.Start(queued.RunAsync));

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{queuedJob.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JobState.Canceled, queuedJob.Status.State);
        Assert.True(queuedJob.Finished.IsCompleted);
        Assert.Equal([Job.CanceledLine], queuedJob.Output.Read().Lines);

        // One worker takes jobs in order: once a later job has run, the canceled one has been passed over.
        busy.Finish();
        var later = _app.GetJob(_app.Jobs.Start((_, _) => Task.CompletedTask));
        await later.WaitUntilFinishedAsync();
        Assert.False(queued.Started.IsCompleted);
        Assert.Null(queuedJob.Status.StartedAt);
        Assert.Equal(JobState.Succeeded, busyJob.Status.State);
    }

    [Fact]
    public async Task Canceling_twice_is_accepted_twice_and_the_job_ends_once()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;
        var client = _app.CreatePlainClient();

        var first = await client.PostAsync($"/jobs/{job.Id}/cancel", null);
        var second = await client.PostAsync($"/jobs/{job.Id}/cancel", null);
        await job.WaitUntilFinishedAsync();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(second.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict);
        Assert.Single(job.Output.Read().Lines, line => line == Job.CanceledLine);
    }

    [Fact]
    public async Task Canceling_a_finished_job_is_409()
    {
        var job = _app.GetJob(_app.Jobs.Start((_, _) => Task.CompletedTask));
        await job.WaitUntilFinishedAsync();

        var response = await _app.CreatePlainClient().PostAsync($"/jobs/{job.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Succeeded", await response.Content.ReadAsStringAsync());
        Assert.Equal(JobState.Succeeded, job.Status.State);
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
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;

        var response = await _app.CreatePlainClient().GetAsync($"/jobs/{job.Id}/cancel");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(JobState.Running, job.Status.State);
        script.Finish();
    }

    [Fact]
    public async Task The_event_stream_shows_the_cancel_request_and_ends_with_Canceled()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        await script.Started;
        var client = _app.CreatePlainClient();
        using var stream = await EventStream.OpenAsync(client, $"/jobs/{job.Id}/events");
        await stream.ReadThroughAsync("state");

        await client.PostAsync($"/jobs/{job.Id}/cancel", null);
        var events = await stream.ReadToEndAsync();

        Assert.Contains(new ServerSentEvent("0", "line", Job.CanceledLine), events);
        var final = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal("Canceled", final.GetProperty("state").GetString());
        Assert.True(final.GetProperty("cancelRequested").GetBoolean());
    }
}
