using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

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
        Assert.NotNull(_app.Store.Find(IdOf(response.Headers.Location)));
    }

    [Fact]
    public async Task Output_is_plain_text_with_a_Refresh_header_while_the_job_runs()
    {
        var client = _app.CreatePlainClient();
        var started = await client.GetAsync(TestEndpoints.StartJob);

        var response = await client.GetAsync(started.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Refresh")));
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_finished_job_stops_refreshing()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;
        var job = _app.GetJob(IdOf(location));

        await _app.Time.AdvanceUntilAsync(job.Finished, TimeSpan.FromSeconds(1));
        var response = await client.GetAsync(location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Refresh"));
        Assert.Equal(JobState.Succeeded, job.Status.State);
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
        Assert.Equal(0, _app.Store.Count);
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

        Assert.Equal(1, _app.Store.Count);
    }

    public static JobId IdOf(Uri? location)
    {
        Assert.True(JobId.TryParse(location!.OriginalString[^JobId.TextLength..], out var id));
        return id;
    }
}
