using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.WebApplication1.Background;
using Company.WebApplication1.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.WebApplication1.Tests;

public sealed class ThreadDbViewerTests
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
    }

    [Fact]
    public async Task The_html_table_links_each_job_to_its_output()
    {
        using var app = new BackgrounderAppFactory();
        var id = await app.StartAsync((_, _) => Task.CompletedTask);

        var response = await app.CreatePlainClient().GetAsync("/threaddb");

        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains($"<a href=\"/?_t={id}\">{id}</a>", await response.Content.ReadAsStringAsync());
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

        var response = await app.CreatePlainClient().GetAsync("/threaddb");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("<progress max=\"1\" value=\"0.5\"></progress> 50 %", html);
        Assert.Contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>", html);
        Assert.DoesNotContain("<script", html);
        Assert.StartsWith("default-src 'none';", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        script.Finish();
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
    public async Task Is_not_there_in_Production_where_the_viewer_is_disabled()
    {
        using var app = new BackgrounderAppFactory { Environment = "Production" };

        var response = await app.CreatePlainClient().GetAsync("/threaddb");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Enabled_outside_Development_without_a_policy_fails_start_up_naming_the_setting()
    {
        var app = BuildApp("Production", (ThreadDbViewer.EnabledSetting, "true"));

        var error = Assert.Throws<InvalidOperationException>(app.MapThreadDbViewer);

        Assert.Contains(ThreadDbViewer.PolicySetting, error.Message);
    }

    [Fact]
    public void A_policy_that_is_not_registered_fails_start_up_naming_the_setting()
    {
        var app = BuildApp("Production", (ThreadDbViewer.EnabledSetting, "true"), (ThreadDbViewer.PolicySetting, "Nobody"));

        var error = Assert.Throws<InvalidOperationException>(app.MapThreadDbViewer);

        Assert.Contains(ThreadDbViewer.PolicySetting, error.Message);
    }

    [Fact]
    public void With_a_policy_the_viewer_requires_it()
    {
        var app = BuildApp("Production", (ThreadDbViewer.EnabledSetting, "true"), (ThreadDbViewer.PolicySetting, "JobViewers"));

        app.MapThreadDbViewer();

        var viewer = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints)
            .Single(endpoint => endpoint.DisplayName?.Contains("/threaddb", StringComparison.Ordinal) == true);
        Assert.Contains(viewer.Metadata.GetOrderedMetadata<IAuthorizeData>(), data => data.Policy == "JobViewers");
    }

    // The viewer's mapping on a bare app: start-up checks run without starting a server.
    private static WebApplication BuildApp(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddAuthorization(options => options.AddPolicy("JobViewers", policy => policy.RequireAssertion(_ => true)));
        builder.Services.AddBackgrounder(builder.Configuration);
        return builder.Build();
    }
}
