using System.Net;
using Acme.Shop.Background;
using Acme.Shop.Endpoints;

namespace Acme.Shop.Tests;

/// <summary>
/// Cancel on /threaddb: a plain form POST, so it works without JavaScript, that answers 303 back to the same filter
/// and page, and that another site cannot make for the viewer (antiforgery).
/// </summary>
public sealed class ThreadDbCancelTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxConcurrentJobs", "1"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Cancel_on_a_queued_job_cancels_it_at_once_and_returns_to_the_same_filter_and_page()
    {
        var busy = new ScriptedJob();
        await _app.StartAsync(busy.RunAsync);
        await busy.Started;
        var oldestQueued = new ScriptedJob();
        var id = await _app.StartAsync(oldestQueued.RunAsync);
        for (var i = 0; i < ThreadDbViewer.PageSize; i++)
        {
            await _app.StartAsync((_, _) => Task.CompletedTask);
        }

        var client = _app.CreatePlainClient();
        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(client, "/threaddb?state=Queued&page=2");
        var form = CancelForm(html, id);

        var response = await client.PostAsync(form.Action, form.Content);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/threaddb?state=Queued&page=2", response.Headers.Location!.OriginalString);
        var status = await _app.Store.StatusAsync(id);
        Assert.Equal(JobState.Canceled, status.State);
        Assert.Equal([IJobStore.CanceledLine], await _app.Store.LinesAsync(id));
        Assert.False(oldestQueued.HasStarted);
        busy.Finish();
    }

    [Fact]
    public async Task Cancel_on_a_running_job_fires_its_token_and_it_ends_Canceled()
    {
        var client = _app.CreatePlainClient();
        var (script, id, form) = await RunningJobAndItsCancelFormAsync(client);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (await script.Started).Register(fired.SetResult);

        var response = await client.PostAsync(form.Action, form.Content);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/threaddb", response.Headers.Location!.OriginalString);
        await fired.Task.WaitAsync(JobWaiting.Timeout);
        Assert.Equal(JobState.Canceled, (await _app.Store.WaitUntilFinishedAsync(id)).State);
    }

    [Fact]
    public async Task A_running_job_that_has_not_stopped_yet_shows_Canceling_instead_of_the_button()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await _app.StartAsync(async (_, _) => await release.Task);
        await _app.Store.WaitForAsync(id, status => status.State == JobState.Running);
        Assert.True(await _app.Store.RequestCancelAsync(id));

        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(_app.CreatePlainClient(), "/threaddb");

        Assert.Contains("<span class=\"canceling\">Canceling…</span>", html);
        Assert.DoesNotContain($"/jobs/{id}/cancel", html);
        release.SetResult();
    }

    [Fact]
    public async Task Cancel_on_a_job_that_finished_meanwhile_is_409_saying_so()
    {
        var client = _app.CreatePlainClient();
        var (script, id, form) = await RunningJobAndItsCancelFormAsync(client);
        script.Finish();
        await _app.Store.WaitUntilFinishedAsync(id);

        var response = await client.PostAsync(form.Action, form.Content);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"Job {id} had already finished (Succeeded): there was nothing to cancel.\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(id)).State);
    }

    [Fact]
    public async Task Cancel_on_an_unknown_job_is_404_and_on_a_malformed_id_400()
    {
        var client = _app.CreatePlainClient();
        var (script, id, form) = await RunningJobAndItsCancelFormAsync(client);

        var unknown = await client.PostAsync(form.Action.Replace(id.ToString(), JobId.New().ToString()), form.Content);
        var malformed = await client.PostAsync(form.Action.Replace(id.ToString(), "not-a-job"), form.Content);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(JobState.Running, (await _app.Store.StatusAsync(id)).State);
        script.Finish();
    }

    [Fact]
    public async Task Cancel_without_the_pages_antiforgery_token_is_400_and_cancels_nothing()
    {
        var (script, id, form) = await RunningJobAndItsCancelFormAsync(_app.CreatePlainClient());

        // Another site can make the browser post the form, but neither read the token nor send the viewer's cookie with it.
        var noToken = await _app.CreatePlainClient().PostAsync(form.Action, new FormUrlEncodedContent([]));
        var tokenWithoutCookie = await _app.CreatePlainClient().PostAsync(form.Action, form.Content);

        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tokenWithoutCookie.StatusCode);
        Assert.StartsWith("This Cancel did not come from the threaddb page", await noToken.Content.ReadAsStringAsync());
        var status = await _app.Store.StatusAsync(id);
        Assert.Equal(JobState.Running, status.State);
        Assert.False(status.CancelRequested);
        script.Finish();
    }

    [Fact]
    public async Task Cancel_is_a_POST_only()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;

        var response = await _app.CreatePlainClient().GetAsync($"/threaddb/jobs/{id}/cancel");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.False((await _app.Store.StatusAsync(id)).CancelRequested);
        script.Finish();
    }

    /// <summary>A job that runs until the test finishes it, and its Cancel form as the page shows it to <paramref name="client"/>.</summary>
    private async Task<(ScriptedJob Script, JobId Id, (string Action, FormUrlEncodedContent Content) Form)> RunningJobAndItsCancelFormAsync(HttpClient client)
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(client, "/threaddb");
        return (script, id, CancelForm(html, id));
    }

    private static (string Action, FormUrlEncodedContent Content) CancelForm(string html, JobId id) => ThreadDbForm.Of(html, id, "Cancel");
}
