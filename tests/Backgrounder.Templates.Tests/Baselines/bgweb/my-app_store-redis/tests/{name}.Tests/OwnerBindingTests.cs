using System.Net;
using System.Net.Http.Json;
using my_app.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace my_app.Tests;

/// <summary>
/// A job started while a request is served belongs to that request's user, and with RequireOwner to its client,
/// whether or not the endpoint has <c>.WithBackgrounder()</c>: anyone else is told it does not exist.
/// </summary>
public sealed class OwnerBindingTests
{
    private const string ApiStart = "/api/reports";

    [Fact]
    public async Task A_signed_in_users_job_started_by_an_endpoint_without_the_filter_is_that_users_alone()
    {
        using var app = App();
        var alice = TestUserHandler.Client(app, "alice");

        var id = await StartAsync(alice);

        Assert.NotNull((await app.Store.StatusAsync(id)).Owner);
        await AssertSeenByAsync(alice, id);
        foreach (var other in new[] { TestUserHandler.Client(app, "bob"), app.CreatePlainClient() })
        {
            await AssertNotFoundForAsync(other, id);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task With_RequireOwner_an_anonymous_clients_job_started_by_an_endpoint_without_the_filter_is_that_clients_alone()
    {
        using var app = App(("Backgrounder:RequireOwner", "true"));
        var starter = app.CreatePlainClient();

        var id = await StartAsync(starter);

        await AssertSeenByAsync(starter, id);
        await AssertNotFoundForAsync(app.CreatePlainClient(), id);
        Assert.Equal(HttpStatusCode.Accepted, (await starter.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    private static BackgrounderAppFactory App(params (string Key, string Value)[] settings) => new(settings)
    {
        ConfigureTestServices = TestUserHandler.Add,
        MapTestEndpoints = endpoints => endpoints.MapPost(ApiStart, async (BackgroundJobs jobs) =>
            Results.Accepted(value: new { id = (await jobs.StartAsync((_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken))).ToString() })),
    };

    private static async Task<JobId> StartAsync(HttpClient client)
    {
        var response = await client.PostAsync(ApiStart, null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Started>();
        Assert.True(JobId.TryParse(body!.Id, out var id));
        return id;
    }

    private static async Task AssertSeenByAsync(HttpClient client, JobId id)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/jobs/{id}/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{TestEndpoints.StartJob}?_t={id}")).StatusCode);
    }

    private static async Task AssertNotFoundForAsync(HttpClient client, JobId id)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/jobs/{id}/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{TestEndpoints.StartJob}?_t={id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/jobs/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/jobs/{id}/cancel", null)).StatusCode);
    }

    private sealed record Started(string Id);
}
