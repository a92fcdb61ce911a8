using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using my_app.Background;

namespace my_app.Tests;

/// <summary>GET /jobs/{id}: the status as JSON, for scripts and for polling with <c>?from=</c>.</summary>
public sealed class JobStatusEndpointTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Json_has_the_state_times_progress_and_lines_of_a_running_job()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        script.ReportProgress(0.25);
        script.WriteLine("one");
        script.WriteLine("two");
        await _app.Store.WaitForAsync(id, status => status.LineCount == 2 && status.Progress == 0.25);

        var json = await GetJsonAsync($"/jobs/{id}");

        Assert.Equal(id.ToString(), json.GetProperty("id").GetString());
        Assert.Equal("Running", json.GetProperty("state").GetString());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("finishedAt").ValueKind);
        Assert.Equal(0.25, json.GetProperty("progress").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        Assert.False(json.GetProperty("cancelRequested").GetBoolean());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("node").GetString()));
        Assert.Equal(2, json.GetProperty("lineCount").GetInt64());
        Assert.Equal(0, json.GetProperty("dropped").GetInt64());
        Assert.Equal(0, json.GetProperty("from").GetInt64());
        Assert.Equal(["one", "two"], json.GetProperty("lines").EnumerateArray().Select(line => line.GetString()));
        Assert.False(json.TryGetProperty("owner", out _));
        script.Finish();
    }

    [Fact]
    public async Task A_finished_job_has_its_final_state_and_finish_time()
    {
        var id = await FinishedJobWithLinesAsync(1);

        var json = await GetJsonAsync($"/jobs/{id}");

        Assert.Equal("Succeeded", json.GetProperty("state").GetString());
        Assert.Equal(_app.Time.GetUtcNow(), json.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("progress").ValueKind);
    }

    [Fact]
    public async Task From_returns_only_the_lines_from_that_number_for_incremental_polling()
    {
        var id = await FinishedJobWithLinesAsync(5);

        var middle = await GetJsonAsync($"/jobs/{id}?from=3");
        var end = await GetJsonAsync($"/jobs/{id}?from=5");
        var past = await GetJsonAsync($"/jobs/{id}?from=99");

        Assert.Equal(["line 3", "line 4"], middle.GetProperty("lines").EnumerateArray().Select(line => line.GetString()));
        Assert.Equal(3, middle.GetProperty("from").GetInt64());
        Assert.Equal(5, middle.GetProperty("lineCount").GetInt64());
        Assert.Empty(end.GetProperty("lines").EnumerateArray());
        Assert.Empty(past.GetProperty("lines").EnumerateArray());
        Assert.Equal(5, past.GetProperty("from").GetInt64());
    }

    [Fact]
    public async Task Progress_within_rounding_of_zero_to_one_is_clamped_rather_than_failing_the_job()
    {
        var id = await _app.StartAsync((context, _) =>
        {
            // Ten steps of 0.1 add up to 0.9999999999999999, and 1 + 1e-12 is as likely from other sums.
            var done = 0.0;
            for (var i = 0; i < 10; i++)
            {
                done += 0.1;
                context.ReportProgress(done);
            }

            context.ReportProgress(1 + 1e-12);
            context.ReportProgress(-1e-12);
            context.ReportProgress(1 + 1e-12);
            return Task.CompletedTask;
        });

        var status = await _app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal(1.0, status.Progress);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public async Task Progress_clearly_outside_zero_to_one_is_refused_and_fails_the_job(double fraction)
    {
        var id = await _app.StartAsync((context, _) =>
        {
            context.ReportProgress(fraction);
            return Task.CompletedTask;
        });

        var status = await _app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(JobState.Failed, status.State);
        Assert.StartsWith("ArgumentOutOfRangeException:", status.Error);
        Assert.Null(status.Progress);
    }

    [Theory]
    [InlineData("?from=-1")]
    [InlineData("?from=x")]
    [InlineData("?from=1.5")]
    [InlineData("?from=99999999999999999999")]
    public async Task A_bad_from_is_400(string query)
    {
        var id = await FinishedJobWithLinesAsync(1);

        var response = await _app.CreatePlainClient().GetAsync($"/jobs/{id}{query}");

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

    private async Task<JobId> FinishedJobWithLinesAsync(int count)
    {
        var id = await _app.StartAsync((context, _) =>
        {
            for (var i = 0; i < count; i++)
            {
                context.WriteLine($"line {i}");
            }

            return Task.CompletedTask;
        });
        await _app.Store.WaitUntilFinishedAsync(id);
        return id;
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        var response = await _app.CreatePlainClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
