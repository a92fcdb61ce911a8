using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

public sealed class ThreadDbViewerTests
{
    [Fact]
    public async Task Lists_every_job_as_json_when_asked_for_json()
    {
        using var app = new BackgrounderAppFactory();
        var job = app.GetJob(app.Jobs.Start((context, _) =>
        {
            context.WriteLine("one");
            context.WriteLine("two");
            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        var jobs = await client.GetFromJsonAsync<JsonElement[]>("/threaddb");

        var row = Assert.Single(jobs!);
        Assert.Equal(job.Id.ToString(), row.GetProperty("id").GetString());
        Assert.Equal("Succeeded", row.GetProperty("state").GetString());
        Assert.Equal(2, row.GetProperty("lineCount").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("startedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("finishedAt").ValueKind);
    }

    [Fact]
    public async Task The_html_table_links_each_job_to_its_output()
    {
        using var app = new BackgrounderAppFactory();
        var id = app.Jobs.Start((_, _) => Task.CompletedTask);

        var response = await app.CreatePlainClient().GetAsync("/threaddb");

        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains($"<a href=\"/?_t={id}\">{id}</a>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Is_not_there_in_Production_where_the_viewer_is_disabled()
    {
        using var app = new BackgrounderAppFactory { Environment = "Production" };

        var response = await app.CreatePlainClient().GetAsync("/threaddb");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
