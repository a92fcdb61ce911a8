using System.Net;
using System.Text.RegularExpressions;
using my_app.Background;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace my_app.Tests;

/// <summary>
/// A job started from a form: a POST behind <c>.WithBackgrounder()</c> takes only the antiforgery token of the app's
/// own form, and answers 303 to the job's own page, <c>/jobs/{id}/live</c>.
/// </summary>
public sealed partial class FormStartTests : IDisposable
{
    private const string FormPage = "/test-form";

    private readonly BackgrounderAppFactory _app = new()
    {
        MapTestEndpoints = endpoints =>
        {
            endpoints.MapGet(FormPage, (IAntiforgery antiforgery, HttpContext httpContext) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(httpContext);
                return Results.Content($"""<form method="post"><input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}"></form>""", "text/html");
            });
            endpoints.MapPost("/reports", async (BackgroundJobs jobs) =>
            {
                Console.WriteLine("Report requested");
                await jobs.StartAsync("report", (context, _) =>
                {
                    context.WriteLine("report done");
                    return Task.CompletedTask;
                });
            }).WithBackgrounder();
            endpoints.MapPost("/reports/bound", async ([FromForm] int year, BackgroundJobs jobs) =>
                await jobs.StartAsync("report", (context, _) =>
                {
                    context.WriteLine($"report {year}");
                    return Task.CompletedTask;
                })).WithBackgrounder();
        },
    };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_form_post_answers_303_to_the_jobs_own_page_which_shows_its_output_as_text_and_as_the_page()
    {
        var client = _app.CreatePlainClient();

        var response = await client.PostAsync("/reports", await FormAsync(client));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var id = LiveIdOf(response.Headers.Location);
        await _app.Store.WaitUntilFinishedAsync(id);
        var text = await client.GetAsync($"/jobs/{id}/live");
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("Report requested\nreport done\n", await text.Content.ReadAsStringAsync());
        Assert.False(text.Headers.Contains("Refresh"));
        var (page, html) = await ThreadDbViewerTests.GetHtmlAsync(client, $"/jobs/{id}/live");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"data-job=\"{id}\"", html);
        Assert.Contains("<span>report done\n</span>", html);
    }

    [Fact]
    public async Task A_handler_that_binds_the_form_starts_its_job_with_the_token_too()
    {
        var client = _app.CreatePlainClient();
        var form = await FormAsync(client, ("year", "2026"));

        var response = await client.PostAsync("/reports/bound", form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var id = LiveIdOf(response.Headers.Location);
        await _app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal("report 2026\n", await client.GetStringAsync($"/jobs/{id}/live"));
    }

    [Theory]
    [InlineData("/reports")]
    [InlineData("/reports/bound")]
    public async Task A_post_without_a_valid_token_is_400_and_starts_nothing(string path)
    {
        var client = _app.CreatePlainClient();
        var form = await FormAsync(client, ("year", "2026"));

        // Another site can make a browser post the form, but neither read the token nor send this client's cookie with it.
        var noToken = await client.PostAsync(path, new FormUrlEncodedContent([KeyValuePair.Create("year", "2026")]));
        var tokenWithoutCookie = await _app.CreatePlainClient().PostAsync(path, form);
        var notAForm = await client.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tokenWithoutCookie.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);
        Assert.Empty(await _app.Store.ListAsync());
    }

    [Fact]
    public async Task The_jobs_own_page_refreshes_while_it_runs_and_is_400_for_a_malformed_id_and_404_for_an_unknown_one()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        await script.Started;
        var client = _app.CreatePlainClient();

        var running = await client.GetAsync($"/jobs/{id}/live");
        var malformed = await client.GetAsync("/jobs/not-a-job/live");
        var unknown = await client.GetAsync($"/jobs/{JobId.New()}/live");

        Assert.Equal(HttpStatusCode.OK, running.StatusCode);
        Assert.Equal("1", Assert.Single(running.Headers.GetValues("Refresh")));
        Assert.Equal("no-store", running.Headers.CacheControl!.ToString());
        Assert.Contains("Accept", running.Headers.Vary);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        script.Finish();
    }

    /// <summary>The id in a redirect to <c>/jobs/{id}/live</c>.</summary>
    public static JobId LiveIdOf(Uri? location)
    {
        var match = LivePath().Match(location!.OriginalString);
        var id = default(JobId);
        Assert.True(match.Success && JobId.TryParse(match.Groups["id"].Value, out id), $"{location} is not a job's own page.");
        return id;
    }

    /// <summary>The test form as <paramref name="client"/> gets it (its antiforgery cookie included), filled in.</summary>
    private async Task<FormUrlEncodedContent> FormAsync(HttpClient client, params (string Name, string Value)[] fields)
    {
        var html = await client.GetStringAsync(FormPage);
        var token = TokenField().Match(html);
        return new FormUrlEncodedContent(
            [KeyValuePair.Create(token.Groups["name"].Value, token.Groups["value"].Value), .. fields.Select(field => KeyValuePair.Create(field.Name, field.Value))]);
    }

    [GeneratedRegex("""name="(?<name>[^"]+)" value="(?<value>[^"]+)">""")]
    private static partial Regex TokenField();

    [GeneratedRegex("^/jobs/(?<id>[^/]+)/live$")]
    private static partial Regex LivePath();
}
