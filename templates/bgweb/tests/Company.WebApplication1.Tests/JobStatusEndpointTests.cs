using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>GET /jobs/{id}: the status as JSON, for scripts and for polling with <c>?from=</c>.</summary>
public sealed class JobStatusEndpointTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Json_has_the_state_times_progress_and_lines_of_a_running_job()
    {
        var script = new ScriptedJob();
        var job = _app.GetJob(_app.Jobs.Start(script.RunAsync));
        script.ReportProgress(0.25);
        script.WriteLine("one");
        script.WriteLine("two");
        await job.WaitForLinesAsync(2);

        var json = await GetJsonAsync($"/jobs/{job.Id}");

        Assert.Equal(job.Id.ToString(), json.GetProperty("id").GetString());
        Assert.Equal("Running", json.GetProperty("state").GetString());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("finishedAt").ValueKind);
        Assert.Equal(0.25, json.GetProperty("progress").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        Assert.False(json.GetProperty("cancelRequested").GetBoolean());
        Assert.Equal(2, json.GetProperty("lineCount").GetInt64());
        Assert.Equal(0, json.GetProperty("from").GetInt64());
        Assert.Equal(["one", "two"], json.GetProperty("lines").EnumerateArray().Select(line => line.GetString()));
    }

    [Fact]
    public async Task A_finished_job_has_its_final_state_and_finish_time()
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            context.WriteLine("done");
            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();

        var json = await GetJsonAsync($"/jobs/{job.Id}");

        Assert.Equal("Succeeded", json.GetProperty("state").GetString());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("progress").ValueKind);
    }

    [Fact]
    public async Task From_returns_only_the_lines_from_that_sequence_number_for_incremental_polling()
    {
        var job = await FinishedJobWithLinesAsync(5);

        var middle = await GetJsonAsync($"/jobs/{job.Id}?from=3");
        var end = await GetJsonAsync($"/jobs/{job.Id}?from=5");
        var past = await GetJsonAsync($"/jobs/{job.Id}?from=99");

        Assert.Equal(["line 3", "line 4"], middle.GetProperty("lines").EnumerateArray().Select(line => line.GetString()));
        Assert.Equal(3, middle.GetProperty("from").GetInt64());
        Assert.Equal(5, middle.GetProperty("lineCount").GetInt64());
        Assert.Empty(end.GetProperty("lines").EnumerateArray());
        Assert.Empty(past.GetProperty("lines").EnumerateArray());
        Assert.Equal(5, past.GetProperty("from").GetInt64());
    }

    [Fact]
    public async Task A_failed_job_has_its_exception_as_error()
    {
        var job = _app.GetJob(_app.Jobs.Start((_, _) => throw new InvalidOperationException("disk full")));
        await job.WaitUntilFinishedAsync();

        var json = await GetJsonAsync($"/jobs/{job.Id}");

        Assert.Equal("Failed", json.GetProperty("state").GetString());
        Assert.Equal("InvalidOperationException: disk full", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Progress_outside_zero_to_one_is_refused_and_fails_the_job()
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            context.ReportProgress(1.5);
            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();

        Assert.Equal(JobState.Failed, job.Status.State);
        Assert.StartsWith("ArgumentOutOfRangeException:", job.Status.Error);
        Assert.Null(job.Status.Progress);
    }

    [Theory]
    [InlineData("?from=-1")]
    [InlineData("?from=x")]
    [InlineData("?from=1.5")]
    [InlineData("?from=99999999999999999999")]
    public async Task A_bad_from_is_400(string query)
    {
        var job = await FinishedJobWithLinesAsync(1);

        var response = await _app.CreatePlainClient().GetAsync($"/jobs/{job.Id}{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_id_is_400_and_an_unknown_one_404()
    {
        var client = _app.CreatePlainClient();

        var malformed = await client.GetAsync("/jobs/not-a-job-id");
        var unknown = await client.GetAsync($"/jobs/{JobId.New()}");

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("cleaned up", await unknown.Content.ReadAsStringAsync());
    }

    private async Task<Job> FinishedJobWithLinesAsync(int count)
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            for (var i = 0; i < count; i++)
            {
                context.WriteLine($"line {i}");
            }

            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();
        return job;
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        var response = await _app.CreatePlainClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
