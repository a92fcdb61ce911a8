using System.Net;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Builder;

namespace Acme.Shop.Tests;

/// <summary>The seed's <c>@backgrounder</c> flow: 303 to <c>?_t=</c>, then the output so far on every refresh.</summary>
public sealed class BackgrounderProtocolTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Get_without_t_answers_303_to_the_same_url_with_the_job_id_added()
    {
        var response = await _app.CreatePlainClient().GetAsync($"{TestEndpoints.StartJob}?lang=en&page=2");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"{TestEndpoints.StartJob}?lang=en&page=2&_t=", location);
        Assert.NotNull(await _app.Store.GetAsync(IdOf(response.Headers.Location)));
    }

    [Fact]
    public async Task Output_is_plain_text_never_stored_nor_referred_with_a_Refresh_header_while_the_job_runs()
    {
        var client = _app.CreatePlainClient();
        var started = await client.GetAsync(TestEndpoints.StartJob);

        var response = await client.GetAsync(started.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Refresh")));
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_finished_job_stops_refreshing()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;
        var id = IdOf(location);

        await _app.Time.RunUntilAsync(_app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromSeconds(1));
        var response = await client.GetAsync(location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Refresh"));
        Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(id)).State);
    }

    [Theory]
    [InlineData("_t=")]
    [InlineData("_t=abc")]
    [InlineData("_t=AAAAAAAAAAAAAAAAAAAAA!")]
    [InlineData("_t=AAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("_t=AAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("_t=AAAAAAAAAAAAAAAAAAAAAA&_t=AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("_t=%00")]
    public async Task A_malformed_job_id_is_400(string query)
    {
        var response = await _app.CreatePlainClient().GetAsync($"{TestEndpoints.StartJob}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("_t", await response.Content.ReadAsStringAsync());
        Assert.Empty(await _app.Store.ListAsync());
    }

    [Fact]
    public async Task An_unknown_job_id_is_404_saying_it_may_have_been_cleaned_up()
    {
        var response = await _app.CreatePlainClient().GetAsync($"{TestEndpoints.StartJob}?_t={JobId.New()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("cleaned up", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Viewing_output_does_not_run_the_handler_again()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;

        await client.GetAsync(location);
        await client.GetAsync(location);

        Assert.Single(await _app.Store.ListAsync());
    }

    [Theory]
    [InlineData("Sec-Purpose", "prefetch")]
    [InlineData("Sec-Purpose", "prefetch;prerender")]
    [InlineData("Purpose", "prefetch")]
    public async Task A_link_prefetch_starts_nothing_and_gets_403(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, TestEndpoints.StartJob);
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await _app.CreatePlainClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await _app.Store.ListAsync());
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example/x")]
    public async Task A_path_that_would_redirect_to_another_host_is_400_and_starts_nothing(string path)
    {
        // Any endpoint may use WithBackgrounder; a catch-all one is where such a path can arrive.
        using var app = new BackgrounderAppFactory
        {
            MapTestEndpoints = endpoints => endpoints
                .MapGet("/{**rest}", async (BackgroundJobs jobs) => await jobs.StartAsync((_, _) => Task.CompletedTask))
                .WithBackgrounder(),
        };

        var response = await app.CreatePlainClient().GetAsync(new Uri("http://localhost" + path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Location"));
        Assert.Empty(await app.Store.ListAsync());
    }

    public static JobId IdOf(Uri? location)
    {
        Assert.True(JobId.TryParse(location!.OriginalString[^JobId.TextLength..], out var id));
        return id;
    }
}
