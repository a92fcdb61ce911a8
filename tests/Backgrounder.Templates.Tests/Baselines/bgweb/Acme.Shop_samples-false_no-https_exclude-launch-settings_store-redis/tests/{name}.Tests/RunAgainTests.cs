using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Shop.Tests;

/// <summary>
/// Run again on /threaddb: a finished job of a registered class starts anew with its name and arguments, owned by
/// nobody, its record naming the job it repeats; anything else has no Run again, and 409 if posted.
/// </summary>
public sealed class RunAgainTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new()
    {
        ConfigureTestServices = services => services.AddJob<RegionReport>().AddJob<HeldReport>().AddSingleton<ReportGate>(),
    };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_finished_job_of_a_registered_class_runs_again_with_its_name_and_arguments_and_names_the_job_it_repeats()
    {
        var first = await _app.Jobs.StartAsync<RegionReport, ReportRequest>(new ReportRequest(2026, "north"));
        await _app.Store.WaitUntilFinishedAsync(first);
        var client = _app.CreatePlainClient();
        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(client, "/threaddb");
        var form = ThreadDbForm.Of(html, first, "Run again");

        var response = await client.PostAsync(form.Action, form.Content);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var again = FormStartTests.LiveIdOf(response.Headers.Location);
        var repeated = await _app.Store.StatusAsync(first);
        var status = await _app.Store.WaitUntilFinishedAsync(again);
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal(nameof(RegionReport), status.Name);
        Assert.Equal(JobKind.Typed, status.Kind);
        Assert.Equal(repeated.Arguments!.Value.GetRawText(), status.Arguments!.Value.GetRawText());
        Assert.Equal(first, status.Repeats);
        Assert.Null(status.Owner);
        Assert.Equal(["report 2026 for north"], await _app.Store.LinesAsync(again));

        var json = await client.GetFromJsonAsync<JsonElement>($"/jobs/{again}");
        Assert.Equal(first.ToString(), json.GetProperty("repeats").GetString());
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        var rows = await client.GetFromJsonAsync<JsonElement[]>("/threaddb");
        Assert.Equal(first.ToString(), rows!.Single(row => row.GetProperty("id").GetString() == again.ToString()).GetProperty("repeats").GetString());
        Assert.Equal(JsonValueKind.Null, rows!.Single(row => row.GetProperty("id").GetString() == first.ToString()).GetProperty("repeats").ValueKind);
        var (_, page) = await ThreadDbViewerTests.GetHtmlAsync(_app.CreatePlainClient(), $"/jobs/{again}/live");
        Assert.Contains($"href=\"/jobs/{first}/live\"", page);
    }

    [Fact]
    public async Task A_delegate_job_an_unregistered_class_and_an_unfinished_job_have_no_Run_again_and_are_409_if_posted()
    {
        var registered = await _app.Jobs.StartAsync<RegionReport, ReportRequest>(new ReportRequest(2025, "south"));
        var byDelegate = await _app.StartAsync((_, _) => Task.CompletedTask);
        var unregistered = await _app.Jobs.StartAsync<UnregisteredReport>();
        var held = await _app.Jobs.StartAsync<HeldReport>();
        foreach (var id in new[] { registered, byDelegate, unregistered })
        {
            await _app.Store.WaitUntilFinishedAsync(id);
        }

        var client = _app.CreatePlainClient();
        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(client, "/threaddb");
        var token = ThreadDbForm.Of(html, registered, "Run again").Content;

        foreach (var id in new[] { byDelegate, unregistered, held })
        {
            Assert.False(ThreadDbForm.Has(html, id, "Run again"));
            var response = await client.PostAsync($"/threaddb/jobs/{id}/run-again", token);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }

        Assert.Equal(4, (await _app.Store.ListAsync()).Count);
        _app.Services.GetRequiredService<ReportGate>().Open();
    }

    [Fact]
    public async Task Run_again_without_the_pages_token_is_400_and_of_an_unknown_job_404_and_neither_starts_anything()
    {
        var first = await _app.Jobs.StartAsync<RegionReport, ReportRequest>(new ReportRequest(2024, "east"));
        await _app.Store.WaitUntilFinishedAsync(first);
        var client = _app.CreatePlainClient();
        var (_, html) = await ThreadDbViewerTests.GetHtmlAsync(client, "/threaddb");
        var form = ThreadDbForm.Of(html, first, "Run again");

        var noToken = await client.PostAsync(form.Action, new FormUrlEncodedContent([]));
        var unknown = await client.PostAsync($"/threaddb/jobs/{JobId.New()}/run-again", form.Content);

        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Single(await _app.Store.ListAsync());
    }

    public sealed record ReportRequest(int Year, string Region);

    private sealed class RegionReport : IJob<ReportRequest>
    {
        public Task RunAsync(ReportRequest arguments, JobContext context, CancellationToken cancellationToken)
        {
            context.WriteLine($"report {arguments.Year} for {arguments.Region}");
            return Task.CompletedTask;
        }
    }

    private sealed class UnregisteredReport : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class HeldReport(ReportGate gate) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => gate.Opened.WaitAsync(cancellationToken);
    }

    private sealed class ReportGate
    {
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Opened => _opened.Task;

        public void Open() => _opened.TrySetResult();
    }
}
