using System.Net;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Shop.Tests;

/// <summary>What a client may see: nosniff everywhere; a user's jobs and, with RequireOwner, a client's jobs are theirs alone.</summary>
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

        var cookie = Assert.Single(started.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(JobAccess.CookieName + "=", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/jobs/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/jobs/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        Assert.False((await app.Store.StatusAsync(id)).CancelRequested);

        Assert.Equal(HttpStatusCode.Accepted, (await owner.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task With_RequireOwner_a_planted_cookie_is_never_adopted_and_reads_nothing()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:RequireOwner", "true"));

        // An attacker plants the same value in their own browser and in the victim's.
        var victim = app.CreatePlainClient();
        var attacker = app.CreatePlainClient();
        foreach (var client in new[] { victim, attacker })
        {
            client.DefaultRequestHeaders.Add("Cookie", $"{JobAccess.CookieName}=planted");
        }

        var started = await victim.GetAsync(TestEndpoints.StartJob);

        var replaced = Assert.Single(started.Headers.GetValues("Set-Cookie"));
        Assert.DoesNotContain("=planted", replaced);
        Assert.Equal(HttpStatusCode.NotFound, (await attacker.GetAsync(started.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task With_RequireOwner_a_job_started_without_an_owner_is_nobodys_rather_than_everybodys()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:RequireOwner", "true"));
        var id = await app.StartAsync((_, _) => Task.CompletedTask);
        var client = app.CreatePlainClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{TestEndpoints.StartJob}?_t={id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task With_RequireOwner_the_cookie_is_Secure_and_Host_prefixed_outside_Development()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:RequireOwner", "true")) { Environment = "Production" };

        var started = await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob);

        var cookie = Assert.Single(started.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(JobAccess.SecureCookieName + "=", cookie);
        Assert.Contains("secure", cookie);
        Assert.Contains("path=/", cookie);
    }

    [Fact]
    public async Task A_job_a_signed_in_user_started_is_that_users_alone_even_without_RequireOwner()
    {
        using var app = SignedInApp();
        var alice = app.CreatePlainClient();
        alice.DefaultRequestHeaders.Add(TestUserHandler.UserHeader, "alice");
        var bob = app.CreatePlainClient();
        bob.DefaultRequestHeaders.Add(TestUserHandler.UserHeader, "bob");
        var anonymous = app.CreatePlainClient();

        var location = (await alice.GetAsync("/start")).Headers.Location!;
        var id = BackgrounderProtocolTests.IdOf(location);

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/jobs/{id}")).StatusCode);
        foreach (var other in new[] { bob, anonymous })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(location)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/jobs/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/jobs/{id}/events")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Without_RequireOwner_anyone_holding_the_id_of_an_anonymous_job_may_read()
    {
        using var app = new BackgrounderAppFactory();
        var location = (await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob)).Headers.Location;

        Assert.Equal(HttpStatusCode.OK, (await app.CreatePlainClient().GetAsync(location)).StatusCode);
    }

    /// <summary>The app, its requests signed in as the user named in a header: stands in for real authentication.</summary>
    private static BackgrounderAppFactory SignedInApp() => new()
    {
        ConfigureTestServices = TestUserHandler.Add,
        MapTestEndpoints = endpoints => endpoints
            .MapGet("/start", async (BackgroundJobs jobs) => await jobs.StartAsync((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken)))
            .WithBackgrounder(),
    };
}
