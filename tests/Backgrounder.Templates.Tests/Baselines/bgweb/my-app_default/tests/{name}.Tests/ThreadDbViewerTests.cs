using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using my_app.Background;
using my_app.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace my_app.Tests;

/// <summary>GET /threaddb: the seed never showed its threaddb; here it is a small dashboard, and JSON for scripts.</summary>
public sealed partial class ThreadDbViewerTests
{
    [Fact]
    public async Task Lists_every_job_as_json_when_asked_for_json()
    {
        using var app = new BackgrounderAppFactory();
        var id = await app.StartAsync((context, _) =>
        {
            context.WriteLine("one");
            context.WriteLine("two");
            return Task.CompletedTask;
        });
        await app.Store.WaitUntilFinishedAsync(id);
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        var jobs = await client.GetFromJsonAsync<JsonElement[]>("/threaddb");

        var row = Assert.Single(jobs!);
        Assert.Equal(id.ToString(), row.GetProperty("id").GetString());
        Assert.Equal("Succeeded", row.GetProperty("state").GetString());
        Assert.Equal(2, row.GetProperty("lineCount").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("startedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("finishedAt").ValueKind);
        Assert.Equal(
            ["id", "name", "state", "createdAt", "startedAt", "finishedAt", "progress", "error", "node", "lineCount", "lastLine", "repeats", "runAt"],
            row.EnumerateObject().Select(property => property.Name));
    }

    [Fact]
    public async Task The_json_rows_carry_progress_error_and_last_line()
    {
        using var app = new BackgrounderAppFactory();
        var id = await app.StartAsync((context, _) =>
        {
            context.ReportProgress(0.75);
            throw new InvalidOperationException("disk full");
        });
        await app.Store.WaitUntilFinishedAsync(id);
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        var row = Assert.Single((await client.GetFromJsonAsync<JsonElement[]>("/threaddb"))!);

        Assert.Equal(0.75, row.GetProperty("progress").GetDouble());
        Assert.Equal("InvalidOperationException: disk full", row.GetProperty("error").GetString());
        Assert.Equal("Job failed: InvalidOperationException: disk full", row.GetProperty("lastLine").GetString());
    }

    [Fact]
    public async Task The_json_without_parameters_is_every_job_and_takes_the_pages_filter_and_page_when_given()
    {
        using var app = new BackgrounderAppFactory();
        var ids = await StartFinishedJobsAsync(app, ThreadDbViewer.PageSize + 5);
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        var all = await client.GetFromJsonAsync<JsonElement[]>("/threaddb");
        var secondPage = await client.GetFromJsonAsync<JsonElement[]>("/threaddb?state=Succeeded&page=2");
        var running = await client.GetFromJsonAsync<JsonElement[]>("/threaddb?state=Running");

        Assert.Equal(ids.AsEnumerable().Reverse().Select(id => id.ToString()), all!.Select(row => row.GetProperty("id").GetString()));
        Assert.Equal(ids[..5].Reverse().Select(id => id.ToString()), secondPage!.Select(row => row.GetProperty("id").GetString()));
        Assert.Empty(running!);
    }

    [Fact]
    public async Task Counts_the_jobs_in_each_state_each_count_a_link_to_that_filter()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        await StartOneInEachStateAsync(app);

        var (response, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Contains("<title>threaddb: 5 jobs</title>", html);
        Assert.Contains("""<a href="/threaddb" aria-current="page">All <b>5</b></a>""", html);
        foreach (var (state, count) in new[] { ("Queued", 1), ("Running", 1), ("Succeeded", 1), ("Failed", 1), ("Canceled", 1), ("Interrupted", 0) })
        {
            Assert.Contains($"""<a href="/threaddb?state={state}" class="state" data-state="{state}">{state} <b>{count}</b></a>""", html);
        }
    }

    [Fact]
    public async Task Lists_the_newest_job_first_each_linking_to_its_live_page()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var jobs = await StartOneInEachStateAsync(app);

        var (_, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb");

        JobId[] newestFirst = [jobs.Canceled, jobs.Queued, jobs.Running, jobs.Failed, jobs.Succeeded];
        var positions = newestFirst.Select(id => html.IndexOf($"<a href=\"/jobs/{id}/live\">{id}</a>", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Contains($"""<span class="state" data-state="Failed">Failed</span>""", html);
    }

    [Fact]
    public async Task Filters_by_state_case_insensitively()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var jobs = await StartOneInEachStateAsync(app);

        var (response, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb?state=running");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>threaddb: 1 Running job</title>", html);
        Assert.Contains("""<a href="/threaddb?state=Running" class="state" data-state="Running" aria-current="page">Running <b>1</b></a>""", html);
        Assert.Contains($"/jobs/{jobs.Running}/live", html);
        Assert.All(new[] { jobs.Queued, jobs.Succeeded, jobs.Failed, jobs.Canceled }, id => Assert.DoesNotContain(id.ToString(), html));

        var (_, none) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb?state=Interrupted");
        Assert.Contains("No Interrupted jobs.", none);
    }

    [Fact]
    public async Task Pages_past_a_page_of_jobs_keeping_the_filter_in_the_links()
    {
        using var app = new BackgrounderAppFactory();
        var ids = await StartFinishedJobsAsync(app, ThreadDbViewer.PageSize + 5);
        var client = app.CreatePlainClient();

        var (_, first) = await GetHtmlAsync(client, "/threaddb?state=Succeeded");
        var (_, second) = await GetHtmlAsync(client, "/threaddb?state=Succeeded&page=2");

        Assert.Contains($"/jobs/{ids[5]}/live", first);
        Assert.DoesNotContain($"/jobs/{ids[4]}/live", first);
        Assert.Contains("""<a href="/threaddb?state=Succeeded&amp;page=2" rel="next">Older →</a>""", first);
        Assert.Contains("Page 1 of 2", first);
        Assert.All(ids[..5], id => Assert.Contains($"/jobs/{id}/live", second));
        Assert.DoesNotContain($"/jobs/{ids[5]}/live", second);
        Assert.Contains("""<a href="/threaddb?state=Succeeded" rel="prev">← Newer</a>""", second);
        Assert.Contains("Page 2 of 2", second);
        Assert.DoesNotContain("rel=\"next\"", second);

        // Past the last page, as after a cleanup: nothing to list, and the way back.
        var (beyond, past) = await GetHtmlAsync(client, "/threaddb?state=Succeeded&page=9");
        Assert.Equal(HttpStatusCode.OK, beyond.StatusCode);
        Assert.Contains("No Succeeded jobs on this page.", past);
        Assert.Contains("""<a href="/threaddb?state=Succeeded&amp;page=2" rel="prev">← Newer</a>""", past);
    }

    [Fact]
    public async Task Shows_each_jobs_name_and_filters_by_name_with_counts_that_follow_the_filter()
    {
        using var app = new BackgrounderAppFactory();
        var imports = new[] { await app.Jobs.StartAsync("import-orders", (_, _) => Task.CompletedTask), await app.Jobs.StartAsync("import-orders", (_, _) => throw new InvalidOperationException("no file")) };
        var report = await app.Jobs.StartAsync("nightly-report", (_, _) => Task.CompletedTask);
        foreach (var id in imports.Append(report))
        {
            await app.Store.WaitUntilFinishedAsync(id);
        }

        var client = app.CreatePlainClient();
        var (_, all) = await GetHtmlAsync(client, "/threaddb");
        var (_, named) = await GetHtmlAsync(client, "/threaddb?name=import-orders");
        var (_, namedFailed) = await GetHtmlAsync(client, "/threaddb?name=import-orders&state=Failed");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/threaddb?name=nightly-report") { Headers = { { "Accept", "application/json" } } };
        var rows = JsonDocument.Parse(await (await client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;

        Assert.Contains("""<a class="name" href="/threaddb?name=nightly-report">nightly-report</a>""", all);
        Assert.Contains("""<a href="/threaddb?name=import-orders" aria-current="page">All <b>2</b></a>""", named);
        Assert.Contains("""<a href="/threaddb?state=Failed&amp;name=import-orders" class="state" data-state="Failed">Failed <b>1</b></a>""", named);
        Assert.Contains("""<a href="/threaddb?state=Succeeded&amp;name=import-orders" class="state" data-state="Succeeded">Succeeded <b>1</b></a>""", named);
        Assert.All(imports, id => Assert.Contains($"/jobs/{id}/live", named));
        Assert.DoesNotContain($"/jobs/{report}/live", named);
        Assert.Contains($"/jobs/{imports[1]}/live", namedFailed);
        Assert.DoesNotContain($"/jobs/{imports[0]}/live", namedFailed);
        Assert.Equal([report.ToString()], rows.EnumerateArray().Select(row => row.GetProperty("id").GetString()));
        Assert.Equal("nightly-report", rows[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("state=Nope", "'state' must be one of Scheduled, Queued, Running, Succeeded, Failed, Canceled, Interrupted.")]
    [InlineData("state=1", "'state' must be one of")]
    [InlineData("state=Queued,Running", "'state' must be one of")]
    [InlineData("state=Queued&state=Running", "'state' must be one of")]
    [InlineData("page=0", "'page' must be a page number from 1 to")]
    [InlineData("page=-1", "'page' must be a page number")]
    [InlineData("page=two", "'page' must be a page number")]
    [InlineData("page=1.5", "'page' must be a page number")]
    [InlineData("page=99999999999", "'page' must be a page number")]
    [InlineData("page=42949673", "'page' must be a page number")]
    [InlineData("name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "'name' must be a job's name, at most 256 characters.")]
    public async Task A_bad_filter_or_page_is_400_saying_what_is_expected(string query, string message)
    {
        using var app = new BackgrounderAppFactory();
        var client = app.CreatePlainClient();
        using var json = new HttpRequestMessage(HttpMethod.Get, $"/threaddb?{query}") { Headers = { { "Accept", "application/json" } } };

        foreach (var response in new[] { await client.GetAsync($"/threaddb?{query}"), await client.SendAsync(json) })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.StartsWith(message, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Each_row_shows_the_jobs_progress_and_last_line_encoded()
    {
        using var app = new BackgrounderAppFactory();
        var script = new ScriptedJob();
        var id = await app.StartAsync(script.RunAsync);
        script.ReportProgress(0.5);
        script.WriteLine("<script>alert(1)</script>");
        await app.Store.WaitForAsync(id, status => status.LineCount == 1 && status.Progress == 0.5);

        var (_, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb");

        Assert.Contains("<progress max=\"1\" value=\"0.5\"></progress> 50 %", html);
        Assert.Contains("<code title=\"&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;</code>", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Single(ScriptElement().Matches(html));
        script.Finish();
    }

    [Fact]
    public async Task Only_the_pages_own_script_and_style_may_run_as_its_Content_Security_Policy_hashes_them()
    {
        using var app = new BackgrounderAppFactory();

        var (response, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb");
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var style = StyleElement().Match(html).Groups[1].Value;

        Assert.StartsWith("default-src 'none';", policy);
        Assert.Contains($"script-src '{Hash(ScriptElement().Match(html).Groups[1].Value)}';", policy);
        Assert.Contains($"style-src '{Hash(style)}';", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("form-action 'self'", policy);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));

        // The live page's look: its stylesheet, byte for byte, then the viewer's own rules.
        Assert.Equal(JobPage.Style + JobPage.Asset("threaddb.css"), style);
        Assert.Equal(JobPage.Asset("threaddb.js"), ScriptElement().Match(html).Groups[1].Value);
    }

    [Fact]
    public async Task Without_JavaScript_the_page_reloads_its_own_url_so_the_filter_stays()
    {
        using var app = new BackgrounderAppFactory();

        var (_, html) = await GetHtmlAsync(app.CreatePlainClient(), "/threaddb?state=Running");

        Assert.Contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>", html);
    }

    [Fact]
    public async Task Is_not_there_in_Production_where_the_viewer_is_disabled()
    {
        using var app = new BackgrounderAppFactory { Environment = "Production" };

        var response = await app.CreatePlainClient().GetAsync("/threaddb");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Enabled_outside_Development_without_a_policy_fails_start_up_naming_the_setting()
    {
        using var app = new BackgrounderAppFactory((ThreadDbViewer.EnabledSetting, "true")) { Environment = "Production" };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains(ThreadDbViewer.PolicySetting, error.Message);
    }

    [Fact]
    public void A_policy_that_is_not_registered_fails_start_up_naming_the_setting()
    {
        using var app = new BackgrounderAppFactory((ThreadDbViewer.EnabledSetting, "true"), (ThreadDbViewer.PolicySetting, "Nobody"))
        {
            Environment = "Production",
        };

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains(ThreadDbViewer.PolicySetting, error.Message);
    }

    [Fact]
    public void With_a_policy_the_page_its_cancel_and_its_run_again_all_require_it()
    {
        using var app = new BackgrounderAppFactory((ThreadDbViewer.EnabledSetting, "true"), (ThreadDbViewer.PolicySetting, "JobViewers"))
        {
            Environment = "Production",
            ConfigureTestServices = services => services.AddAuthorization(options => options.AddPolicy("JobViewers", policy => policy.RequireAssertion(_ => true))),
        };

        var viewer = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(endpoint => endpoint.DisplayName?.Contains("/threaddb", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Equal(3, viewer.Count);
        Assert.All(viewer, endpoint => Assert.Contains(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), data => data.Policy == "JobViewers"));
    }

    /// <summary>One job in each state but Interrupted, started in this order: Succeeded, Failed, Running, Queued, Canceled.</summary>
    internal static async Task<(JobId Succeeded, JobId Failed, JobId Running, JobId Queued, JobId Canceled)> StartOneInEachStateAsync(BackgrounderAppFactory app)
    {
        var succeeded = await app.StartAsync((_, _) => Task.CompletedTask);
        await app.Store.WaitUntilFinishedAsync(succeeded);
        var failed = await app.StartAsync((_, _) => throw new InvalidOperationException("disk full"));
        await app.Store.WaitUntilFinishedAsync(failed);

        // With one worker, the running job keeps the next two queued.
        var running = new ScriptedJob();
        var runningId = await app.StartAsync(running.RunAsync);
        await running.Started;
        var queued = await app.StartAsync(new ScriptedJob().RunAsync);
        var canceled = await app.StartAsync(new ScriptedJob().RunAsync);
        Assert.True(await app.Store.RequestCancelAsync(canceled));
        return (succeeded, failed, runningId, queued, canceled);
    }

    /// <summary>Jobs that succeed at once, oldest first.</summary>
    internal static async Task<JobId[]> StartFinishedJobsAsync(BackgrounderAppFactory app, int count)
    {
        var ids = new JobId[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = await app.StartAsync((_, _) => Task.CompletedTask);
        }

        foreach (var id in ids)
        {
            await app.Store.WaitUntilFinishedAsync(id);
        }

        return ids;
    }

    internal static async Task<(HttpResponseMessage Response, string Html)> GetHtmlAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    // The viewer's mapping on a bare app: start-up checks run without starting a server.
    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
