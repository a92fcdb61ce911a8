using System.Net;
using System.Security.Claims;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Shop.Tests;

/// <summary>
/// With <c>Backgrounder:Viewer:Policy</c> set, whoever passes it may open every job's page, events and JSON and
/// cancel it, owned or not; everyone else keeps the owner rules (404).
/// </summary>
public sealed class ViewerAccessTests : IDisposable
{
    private const string Viewer = "viewer";

    private readonly BackgrounderAppFactory _app = new(("Backgrounder:RequireOwner", "true"), ("Backgrounder:Viewer:Policy", "JobViewers"))
    {
        ConfigureTestServices = services =>
        {
            TestUserHandler.Add(services);
            services.AddAuthorization(options => options.AddPolicy("JobViewers", policy => policy.RequireClaim(ClaimTypes.NameIdentifier, Viewer)));
        },
        MapTestEndpoints = endpoints => endpoints
            .MapGet("/start", async (BackgroundJobs jobs) => await jobs.StartAsync((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken)))
            .WithBackgrounder(),
    };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Under_RequireOwner_the_viewer_opens_a_job_with_no_owner_from_the_dashboards_link_and_cancels_it()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        script.WriteLine("started by a hosted service");
        await _app.Store.WaitForLinesAsync(id, 1);
        var viewer = TestUserHandler.Client(_app, Viewer);

        var (_, dashboard) = await ThreadDbViewerTests.GetHtmlAsync(viewer, "/threaddb");
        Assert.Contains($"href=\"/jobs/{id}/live\"", dashboard);
        Assert.Equal("started by a hosted service\n", await viewer.GetStringAsync($"/jobs/{id}/live"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/jobs/{id}")).StatusCode);
        var (page, _) = await ThreadDbViewerTests.GetHtmlAsync(viewer, $"/jobs/{id}/live");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var other in new[] { TestUserHandler.Client(_app, "mallory"), _app.CreatePlainClient() })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/jobs/{id}/live")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/jobs/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/jobs/{id}/events")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await viewer.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        Assert.Equal(JobState.Canceled, (await _app.Store.WaitUntilFinishedAsync(id)).State);
    }

    [Fact]
    public async Task The_viewer_follows_another_users_job_too()
    {
        var alice = TestUserHandler.Client(_app, "alice");
        var location = (await alice.GetAsync("/start")).Headers.Location;
        var id = BackgrounderProtocolTests.IdOf(location);
        var viewer = TestUserHandler.Client(_app, Viewer);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/jobs/{id}/live")).StatusCode);
        using var events = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events");
        using var stream = await viewer.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await TestUserHandler.Client(_app, "bob").GetAsync($"/jobs/{id}/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await viewer.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public void A_viewer_policy_that_is_not_registered_fails_start_up_naming_the_setting()
    {
        var error = StartupFailure.Of(() => new BackgrounderAppFactory(("Backgrounder:Viewer:Enabled", "false"), ("Backgrounder:Viewer:Policy", "Nobody")));

        Assert.Contains("Backgrounder:Viewer:Policy", error.Message);
    }
}
