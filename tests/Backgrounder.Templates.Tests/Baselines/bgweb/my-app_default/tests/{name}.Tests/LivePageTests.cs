using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using my_app.Background;

namespace my_app.Tests;

/// <summary>A browser at <c>?_t=</c> gets a page that follows the job live; curl keeps getting the seed's text.</summary>
public sealed partial class LivePageTests : IDisposable
{
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_browser_gets_the_live_page_with_the_output_so_far_and_Refresh_while_the_job_runs()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;
        var id = BackgrounderProtocolTests.IdOf(location);
        var lines = await _app.Store.LinesAsync(id);

        var response = await GetPageAsync(location.OriginalString);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Refresh")));
        Assert.Contains("Accept", response.Headers.Vary);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains($"<pre id=\"output\"><span>{lines[0]}\n</span>", html);
        Assert.Contains($"data-events=\"/jobs/{id}/events?lastEventId={lines.Count - 1}\"", html);
        Assert.Contains($"<form id=\"cancel\" method=\"post\" action=\"/jobs/{id}/cancel\">", html);
        Assert.Contains("<progress id=\"progress\"", html);
    }

    [Fact]
    public async Task The_page_is_titled_with_the_jobs_name_encoded()
    {
        var script = new ScriptedJob();
        var id = await _app.Jobs.StartAsync("<b>import</b>", script.RunAsync);
        await script.Started;

        var html = await (await GetPageAsync($"{TestEndpoints.StartJob}?_t={id}")).Content.ReadAsStringAsync();
        script.Finish();

        Assert.Contains("<title>&lt;b&gt;import&lt;/b&gt;: Running</title>", html);
        Assert.Contains($"<h1>&lt;b&gt;import&lt;/b&gt; <code>{id}</code></h1>", html);
        Assert.Contains("data-name=\"&lt;b&gt;import&lt;/b&gt;\"", html);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("text/plain")]
    [InlineData("text/html;q=0, */*")]
    public async Task Clients_that_do_not_ask_for_html_still_get_plain_text(string? accept)
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;
        using var request = new HttpRequestMessage(HttpMethod.Get, location);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await client.SendAsync(request);

        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_finished_jobs_page_stops_refreshing_and_hides_Cancel()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location!;
        var id = BackgrounderProtocolTests.IdOf(location);
        await _app.Time.RunUntilAsync(_app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromSeconds(1));

        var response = await GetPageAsync(location.OriginalString);
        var html = await response.Content.ReadAsStringAsync();

        Assert.False(response.Headers.Contains("Refresh"));
        Assert.Contains("data-finished=\"true\"", html);
        Assert.Contains("<span id=\"state\" class=\"state\" data-state=\"Succeeded\">Succeeded</span>", html);
        Assert.Matches("<form id=\"cancel\"[^>]* hidden>", html);
    }

    [Fact]
    public async Task Job_output_and_errors_are_encoded_so_markup_in_them_is_shown_as_text()
    {
        var id = await _app.StartAsync((context, _) =>
        {
            context.WriteLine("<script>alert(1)</script>");
            throw new InvalidOperationException("<img src=x onerror=alert(2)>");
        });
        await _app.Store.WaitUntilFinishedAsync(id);

        var html = await (await GetPageAsync($"{TestEndpoints.StartJob}?_t={id}")).Content.ReadAsStringAsync();

        Assert.Contains("<span>&lt;script&gt;alert(1)&lt;/script&gt;\n</span>", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.Single(ScriptElement().Matches(html));
        Assert.Contains("<p id=\"error\" class=\"error\">InvalidOperationException: &lt;img src=x onerror=alert(2)&gt;</p>", html);
    }

    [Fact]
    public async Task Only_the_pages_own_script_and_style_may_run_as_its_Content_Security_Policy_hashes_them()
    {
        var id = await _app.StartAsync((_, _) => Task.CompletedTask);

        var response = await GetPageAsync($"{TestEndpoints.StartJob}?_t={id}");
        var html = await response.Content.ReadAsStringAsync();
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));

        Assert.StartsWith("default-src 'none';", policy);
        Assert.Contains($"script-src '{Hash(ScriptElement().Match(html).Groups[1].Value)}';", policy);
        Assert.Contains($"style-src '{Hash(StyleElement().Match(html).Groups[1].Value)}';", policy);
        Assert.Contains("connect-src 'self'", policy);
    }

    [Fact]
    public void The_pages_markup_style_and_script_are_files_and_the_policy_hashes_those_very_bytes()
    {
        var policy = JobPage.ContentSecurityPolicy;

        Assert.Contains($"script-src '{Hash(JobPage.Asset("job-page.js"))}'", policy);
        Assert.Contains($"style-src '{Hash(JobPage.Asset("jobs.css"))}'", policy);
        Assert.Contains("<pre id=\"output\">{{lines}}</pre>", JobPage.Asset("job-page.html"));
    }

    private async Task<HttpResponseMessage> GetPageAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        return await _app.CreatePlainClient().SendAsync(request);
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
