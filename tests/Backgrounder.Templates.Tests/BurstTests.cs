using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// A burst of starts against the scaffolded app run as a process: every request is either accepted or
/// refused with 503, nothing accepted is lost, and the app keeps answering /healthz meanwhile.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class BurstTests(TemplatePackFixture pack)
{
    private const int Requests = 10_000;
    private const int Parallelism = 32;

    [Fact]
    public async Task Ten_thousand_starts_are_each_accepted_or_refused_and_every_accepted_job_completes()
    {
        await using var app = await AppProcess.StartAsync(
            await pack.BuiltAsync("my-app"),
            "Development",
            ("Backgrounder:MaxConcurrentJobs", "4"),
            ("Backgrounder:QueueCapacity", "1000"),
            ("Backgrounder:MaxRetainedJobs", "100000"),
            ("Backgrounder:Samples:LongRunningInterval", "00:00:00.001"));
        using var client = app.CreateClient();
        var accepted = new ConcurrentBag<string>();
        var refused = 0;
        var unexpected = new ConcurrentBag<string>();
        var health = new ConcurrentBag<HttpStatusCode>();
        using var burstDone = new CancellationTokenSource();

        var healthProbe = ProbeHealthAsync(client, health, burstDone.Token);
        await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (_, token) =>
        {
            using var response = await client.GetAsync("/", token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.SeeOther:
                    accepted.Add(response.Headers.Location!.OriginalString);
                    break;
                case HttpStatusCode.ServiceUnavailable:
                    Assert.True(response.Headers.RetryAfter is not null, "503 without Retry-After");
                    Interlocked.Increment(ref refused);
                    break;
                default:
                    unexpected.Add($"{(int)response.StatusCode}");
                    break;
            }
        });
        await burstDone.CancelAsync();
        await healthProbe;

        Assert.Empty(unexpected);
        Assert.Equal(Requests, accepted.Count + refused);
        Assert.True(accepted.Count >= 1000, $"Only {accepted.Count} accepted with a queue of 1000.");
        Assert.NotEmpty(health);
        Assert.All(health, status => Assert.Equal(HttpStatusCode.OK, status));

        foreach (var location in accepted)
        {
            var lines = await WaitUntilFinishedAsync(client, location);
            Assert.Equal(12, lines.Length);
            Assert.Equal("9: ", lines[^1][..3]);
        }

        using var viewer = new HttpRequestMessage(HttpMethod.Get, "/threaddb") { Headers = { { "Accept", "application/json" } } };
        using var jobs = JsonDocument.Parse(await (await client.SendAsync(viewer)).EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        Assert.Equal(accepted.Count, jobs.RootElement.GetArrayLength());
        Assert.All(jobs.RootElement.EnumerateArray(), job => Assert.Equal("Succeeded", job.GetProperty("state").GetString()));
    }

    private static async Task ProbeHealthAsync(HttpClient client, ConcurrentBag<HttpStatusCode> statuses, CancellationToken burstDone)
    {
        while (!burstDone.IsCancellationRequested)
        {
            using var response = await client.GetAsync("/healthz", CancellationToken.None);
            statuses.Add(response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }

    /// <summary>Follows one job as a browser would, refreshing when the Refresh header says so.</summary>
    private static async Task<string[]> WaitUntilFinishedAsync(HttpClient client, string location)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            using var response = await client.GetAsync(location);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (!response.Headers.Contains("Refresh"))
            {
                return lines;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"{location} did not finish within a minute.");
    }
}
