using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>What a client may see: nosniff everywhere; with RequireOwner, only the starter sees its job.</summary>
public sealed class ExposureTests
{
    [Fact]
    public async Task Every_kind_of_response_carries_nosniff()
    {
        using var app = new BackgrounderAppFactory();
        var client = app.CreatePlainClient();
        var started = await client.GetAsync(TestEndpoints.StartJob);

        foreach (var response in new[]
        {
            started,
            await client.GetAsync(started.Headers.Location),
            await client.GetAsync($"{TestEndpoints.StartJob}?_t=bad"),
            await client.GetAsync($"/jobs/{JobId.New()}"),
            await client.GetAsync("/healthz"),
        })
        {
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Fact]
    public async Task With_RequireOwner_another_client_gets_404_everywhere_and_the_starter_still_sees_its_job()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:RequireOwner", "true"));
        var owner = app.CreatePlainClient();
        var stranger = app.CreatePlainClient();
        var started = await owner.GetAsync(TestEndpoints.StartJob);
        var location = started.Headers.Location!;
        var id = BackgrounderProtocolTests.IdOf(location);

        Assert.Contains(started.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(JobAccess.OwnerCookie + "=", StringComparison.Ordinal) && cookie.Contains("httponly"));
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/jobs/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/jobs/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        Assert.False(app.GetJob(id).Status.CancelRequested);

        Assert.Equal(HttpStatusCode.Accepted, (await owner.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task With_RequireOwner_a_forged_cookie_gets_404()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:RequireOwner", "true"));
        var location = (await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob)).Headers.Location;
        var forger = app.CreatePlainClient();
        forger.DefaultRequestHeaders.Add("Cookie", $"{JobAccess.OwnerCookie}=guess");

        Assert.Equal(HttpStatusCode.NotFound, (await forger.GetAsync(location)).StatusCode);
    }

    [Fact]
    public async Task Without_RequireOwner_anyone_holding_the_id_may_read()
    {
        using var app = new BackgrounderAppFactory();
        var location = (await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob)).Headers.Location;

        Assert.Equal(HttpStatusCode.OK, (await app.CreatePlainClient().GetAsync(location)).StatusCode);
    }
}
