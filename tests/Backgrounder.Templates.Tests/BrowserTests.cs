using System.Diagnostics;
using System.Net;
using Backgrounder.Templates.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// The live page in a real browser, against the scaffolded app run as a process: output appears line by line
/// without a reload, the progress bar fills, Cancel stops a job, and job output is shown as text, never run.
/// And /threaddb: its counts, filter, Cancel and links work, and it keeps itself current while open.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class BrowserTests(TemplatePackFixture pack, ITestOutputHelper output) : IAsyncLifetime
{
    private const float Timeout = 30_000;
    private const string Lines = "#output > span:not(.dropped)";

    private Chromium _chromium = null!;

    public async Task InitializeAsync() => _chromium = await Chromium.LaunchAsync();

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task The_live_page_shows_each_line_as_it_is_written_without_a_reload_and_fills_the_progress_bar()
    {
        // The seed's one second between lines: plenty for the page to show a line long before the job ends.
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync("my-app"), "Development",
            ("Backgrounder:Samples:LongRunningInterval", "00:00:01"));
        var page = await NewPageAsync();
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        await page.GotoAsync(app.BaseAddress.ToString());
        Assert.Matches(@"/\?_t=[A-Za-z0-9_-]{22}$", page.Url);
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");
        var loads = navigations;

        // Lines that were not there when the page loaded appear while the job still runs, on the same page.
        var loaded = await page.Locator(Lines).CountAsync();
        await page.WaitForFunctionAsync(
            "n => document.querySelectorAll('#output > span:not(.dropped)').length > n",
            loaded,
            new PageWaitForFunctionOptions { Timeout = Timeout });
        var whileRunning = await page.Locator(Lines).CountAsync();
        var stateWhileRunning = await page.Locator("#state").TextContentAsync();
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = Timeout });

        // The title names the job, and follows its state as the script updates it.
        await Assertions.Expect(page).ToHaveTitleAsync("LongRunning: Succeeded");

        output.WriteLine($"Lines when loaded: {loaded}, then {whileRunning} while {stateWhileRunning}");
        Assert.InRange(whileRunning, loaded + 1, 11);
        Assert.Equal("Running", stateWhileRunning);
        Assert.Equal(loads, navigations);
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));

        var text = await page.Locator(Lines).AllTextContentsAsync();
        Assert.Equal(12, text.Count);
        Assert.StartsWith("Started at ", text[0]);
        Assert.Equal("hit f5 to refresh!\n", text[1]);
        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith($"{i}: ", text[i + 2]);
        }

        Assert.Equal(1.0, await page.EvaluateAsync<double>("() => document.getElementById('progress').value"));
        Assert.Equal("100 %", await page.Locator("#percent").TextContentAsync());
        Assert.True(await page.Locator("#cancel").IsHiddenAsync());
        await SaveScreenshotAsync(page, "live-page.png");
    }

    [Fact]
    public async Task Without_JavaScript_the_page_refreshes_itself_until_the_job_ends()
    {
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync("my-app"), "Development",
            ("Backgrounder:Samples:LongRunningInterval", "00:00:00.300"));
        await using var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = Timeout });

        Assert.True(navigations > 1, "The Refresh header should have reloaded the page while the job ran.");
        await Assertions.Expect(page.Locator(Lines)).ToHaveCountAsync(12);
    }

    [Fact]
    public async Task Cancel_on_a_second_job_ends_it_Canceled_while_the_first_runs_on()
    {
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync("my-app"), "Development",
            ("Backgrounder:Samples:LongRunningInterval", "00:00:00.500"));
        var first = await NewPageAsync();
        await first.GotoAsync(app.BaseAddress.ToString());
        var second = await NewPageAsync();
        await second.GotoAsync(app.BaseAddress.ToString());
        Assert.NotEqual(first.Url, second.Url);

        // At least four lines, not exactly four: on a loaded machine two lines may arrive between two looks.
        await Assertions.Expect(second.Locator(Lines).Nth(3)).ToBeAttachedAsync(new() { Timeout = Timeout });
        await second.Locator("#cancel button").ClickAsync();

        await Assertions.Expect(second.Locator("#state")).ToHaveTextAsync("Canceled", new() { Timeout = Timeout });
        await Assertions.Expect(second.Locator(Lines).Last).ToHaveTextAsync("Job canceled.\n", new() { Timeout = Timeout });
        Assert.True(await second.Locator("#cancel").IsHiddenAsync());
        Assert.True(await second.Locator(Lines).CountAsync() < 12);
        await SaveScreenshotAsync(second, "live-page-canceled.png");

        await Assertions.Expect(first.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = Timeout });
        await Assertions.Expect(first.Locator(Lines)).ToHaveCountAsync(12);
    }

    [Fact]
    public async Task A_page_whose_stream_is_refused_tries_again_waiting_longer_each_time_without_a_reload_and_then_follows_the_job()
    {
        // One stream per client, and this test's client holds it: the page (the same client, 127.0.0.1) gets 429.
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync("my-app"), "Development",
            ("Backgrounder:Samples:LongRunningInterval", "00:00:01.500"),
            ("Backgrounder:MaxEventStreamsPerClient", "1"));
        using var client = app.CreateClient();
        var id = await StartLongRunningAsync(client);
        var held = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        var page = await NewPageAsync();
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;
        var clock = Stopwatch.StartNew();
        var attempts = new List<TimeSpan>();
        var threeAttempts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Request += (_, request) =>
        {
            if (request.Url.Contains($"/jobs/{id}/events", StringComparison.Ordinal))
            {
                lock (attempts)
                {
                    attempts.Add(clock.Elapsed);
                    if (attempts.Count == 3)
                    {
                        threeAttempts.TrySetResult();
                    }
                }
            }
        };

        await page.GotoAsync(new Uri(app.BaseAddress, $"/?_t={id}").ToString());
        await threeAttempts.Task.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
        held.Dispose();

        // Once the stream opens, the page follows the job to its end, still without a reload.
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator(Lines)).ToHaveCountAsync(12);
        List<TimeSpan> seen;
        lock (attempts)
        {
            seen = [.. attempts];
        }

        output.WriteLine($"Stream attempts at {string.Join(", ", seen.Select(at => $"{at.TotalSeconds:0.0} s"))}");
        Assert.Equal(1, navigations);
        Assert.True(seen[2] - seen[1] > seen[1] - seen[0], "The page should wait longer before each new try.");
    }

    [Fact]
    public async Task Job_output_that_looks_like_a_script_is_shown_literally_and_never_runs()
    {
        var scaffold = await ScaffoldWithScriptPrintingJobAsync();
        await using var app = await AppProcess.StartAsync(scaffold);
        var page = await NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };

        // Live: the lines arrive through the event stream and are added by the page's script.
        await page.GotoAsync(new Uri(app.BaseAddress, "/xss").ToString());
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Failed", new() { Timeout = Timeout });
        await AssertShownLiterallyAsync(page);

        // Rendered by the server, once the job has finished.
        await page.ReloadAsync();
        await AssertShownLiterallyAsync(page);

        await page.GotoAsync(new Uri(app.BaseAddress, "/threaddb").ToString());
        await Assertions.Expect(page.Locator("td code")).ToHaveTextAsync("Job failed: InvalidOperationException: <script>alert(3)</script>");
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task The_threaddb_dashboard_counts_filters_cancels_links_and_keeps_itself_current()
    {
        // One worker and 1.5 s a line: the first job runs about 15 s while the others wait behind it.
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync("my-app"), "Development",
            ("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:Samples:LongRunningInterval", "00:00:01.500"));
        using var client = app.CreateClient();
        var running = await StartLongRunningAsync(client);
        var queued = await StartLongRunningAsync(client);
        var canceled = await StartLongRunningAsync(client);
        (await client.PostAsync($"/jobs/{canceled}/cancel", null)).EnsureSuccessStatusCode();
        var page = await NewPageAsync(width: 1280);
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        await page.GotoAsync(new Uri(app.BaseAddress, "/threaddb").ToString());
        await ExpectCountAsync(page, "Running", "1");
        await ExpectCountAsync(page, "Queued", "1");
        await ExpectCountAsync(page, "Canceled", "1");
        Assert.Equal(["Canceled", "Queued", "Running"], await page.Locator("tbody td .state").AllTextContentsAsync());
        Assert.Equal(["LongRunning", "LongRunning", "LongRunning"], await page.Locator("tbody td a.name").AllTextContentsAsync());

        // Cancel is a plain form: 303 back to the page, where the job is now Canceled.
        await Row(page, queued).Locator("button").ClickAsync();
        await Assertions.Expect(Row(page, queued).Locator(".state")).ToHaveTextAsync("Canceled");
        Assert.EndsWith("/threaddb", page.Url);
        await ExpectCountAsync(page, "Canceled", "2");
        await ExpectCountAsync(page, "Queued", "0");

        // The filter; then, with no reload, the running job finishes and leaves it while the page stays on it.
        await page.Locator(".counts a[data-state=Running]").ClickAsync();
        Assert.EndsWith("/threaddb?state=Running", page.Url);
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, running)).ToBeVisibleAsync();
        var loads = navigations;
        await Assertions.Expect(page.Locator("td.empty")).ToHaveTextAsync("No Running jobs.", new() { Timeout = Timeout });
        await ExpectCountAsync(page, "Succeeded", "1");
        Assert.Equal(loads, navigations);
        Assert.EndsWith("/threaddb?state=Running", page.Url);

        // A fuller table for the screenshot: one job running with some progress, two waiting.
        var next = await StartLongRunningAsync(client);
        await StartLongRunningAsync(client);
        await StartLongRunningAsync(client);
        await page.Locator(".counts a", new() { HasText = "All" }).ClickAsync();
        await page.WaitForFunctionAsync(
            "id => document.querySelector(`a[href='/jobs/${id}/live']`)?.closest('tr').querySelector('progress')?.value >= 0.2",
            next,
            new PageWaitForFunctionOptions { Timeout = Timeout });
        await ExpectCountAsync(page, "Queued", "2");
        await SaveScreenshotAsync(page, "threaddb.png");

        // Without JavaScript: Cancel still works and comes back to the filter, and the page reloads itself there.
        await using (var noScript = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false }))
        {
            var plain = await noScript.NewPageAsync();
            plain.SetDefaultTimeout(Timeout);
            await plain.GotoAsync(new Uri(app.BaseAddress, "/threaddb?state=Queued").ToString());
            await plain.Locator("tbody tr").First.Locator("button").ClickAsync();
            Assert.EndsWith("/threaddb?state=Queued", plain.Url);
            await Assertions.Expect(plain.Locator("tbody tr")).ToHaveCountAsync(1);
            var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            plain.FrameNavigated += (_, frame) => reloaded.TrySetResult();
            await reloaded.Task.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
            Assert.EndsWith("/threaddb?state=Queued", plain.Url);
        }

        // Each id is a link to its job's live page.
        await Row(page, running).Locator($"a[href='/jobs/{running}/live']").ClickAsync();
        Assert.EndsWith($"/jobs/{running}/live", page.Url);
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded");
    }

    private static async Task<string> StartLongRunningAsync(HttpClient client)
    {
        var location = (await client.GetAsync("/")).Headers.Location!.OriginalString;
        Assert.Matches("^/\\?_t=[A-Za-z0-9_-]{22}$", location);
        return location["/?_t=".Length..];
    }

    private static ILocator Row(IPage page, string id) => page.Locator($"tbody tr:has(a[href='/jobs/{id}/live'])");

    private static Task ExpectCountAsync(IPage page, string state, string count) =>
        Assertions.Expect(page.Locator($".counts a[data-state={state}] b")).ToHaveTextAsync(count);

    private static async Task AssertShownLiterallyAsync(IPage page)
    {
        var lines = await page.Locator(Lines).AllTextContentsAsync();
        Assert.Equal(
            ["<script>alert(1)</script>\n", "<img src=x onerror=alert(2)>\n", "Job failed: InvalidOperationException: <script>alert(3)</script>\n"],
            lines);
        Assert.Equal("InvalidOperationException: <script>alert(3)</script>", await page.Locator("#error").TextContentAsync());
        Assert.Equal(0, await page.Locator("#output script, #output img, #error script").CountAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
    }

    /// <summary>The scaffolded app plus one endpoint whose job prints markup; the template itself has no such job.</summary>
    private async Task<Scaffold> ScaffoldWithScriptPrintingJobAsync()
    {
        var scaffold = await pack.ScaffoldAsync("bgweb", "xss-app", "--no-restore");
        var program = Path.Combine(scaffold.AppDirectory, "Program.cs");
        var source = await File.ReadAllTextAsync(program);
        const string Endpoint = """
            app.MapGet("/xss", async (BackgroundJobs jobs) =>
            {
                await jobs.StartAsync(async (context, cancellationToken) =>
                {
                    // Late enough that the page is following the event stream when the lines arrive.
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    context.WriteLine("<script>alert(1)</script>");
                    context.WriteLine("<img src=x onerror=alert(2)>");
                    throw new InvalidOperationException("<script>alert(3)</script>");
                });
            }).WithBackgrounder();

            app.Run();
            """;
        Assert.Contains("app.Run();", source);
        await File.WriteAllTextAsync(program, source.Replace("app.Run();", Endpoint, StringComparison.Ordinal));
        (await DotNet.RunAsync(scaffold.Root, "build", "-warnaserror")).EnsureSuccess();
        return scaffold;
    }

    private async Task<IPage> NewPageAsync(int width = 900)
    {
        var page = await _chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new() { Width = width, Height = 420 } });
        page.SetDefaultTimeout(Timeout);
        return page;
    }

    /// <summary>Kept next to the test assembly as the run's artifact; docs/live-page.png and docs/threaddb.png in the repository are copies.</summary>
    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "artifacts", name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"Screenshot: {path}");
    }
}
