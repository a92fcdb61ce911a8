using System.Globalization;
using System.Net;
using System.Text.Json;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// The seed's scenario against the scaffolded app run as a process, through a plain HTTP client that
/// refreshes as the Refresh header asks, as a browser would on F5.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class SeedScenarioTests(TemplatePackFixture pack)
{
    private const string SeedTimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    [Theory]
    [InlineData("my-app")]
    [InlineData("Acme.Shop")]
    public async Task Opening_the_index_and_refreshing_shows_the_seeds_twelve_lines(string name)
    {
        await using var app = await AppProcess.StartAsync(await pack.BuiltAsync(name));
        using var client = app.CreateClient();

        var start = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.SeeOther, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        Assert.Matches("^/\\?_t=[A-Za-z0-9_-]{22}$", location);

        var lines = await RefreshUntilFinishedAsync(client, location);

        Assert.Equal(12, lines.Length);
        Assert.StartsWith("Started at ", lines[0]);
        Assert.Equal("hit f5 to refresh!", lines[1]);
        var stamps = new List<DateTime> { ParseStamp(lines[0]["Started at ".Length..]) };
        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith($"{i}: ", lines[i + 2]);
            stamps.Add(ParseStamp(lines[i + 2][$"{i}: ".Length..]));
        }

        // The seed slept one second before each numbered line; the app's interval is the same by default.
        Assert.All(stamps.Zip(stamps.Skip(1)), pair =>
            Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(0.9), $"{pair.Second:O} is not a second after {pair.First:O}"));

        using var viewer = new HttpRequestMessage(HttpMethod.Get, "/threaddb") { Headers = { { "Accept", "application/json" } } };
        var jobs = JsonDocument.Parse(await (await client.SendAsync(viewer)).EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        var job = Assert.Single(jobs.RootElement.EnumerateArray(), row => location.EndsWith(row.GetProperty("id").GetString()!, StringComparison.Ordinal));
        Assert.Equal("Succeeded", job.GetProperty("state").GetString());
        Assert.Equal(12, job.GetProperty("lineCount").GetInt32());
    }

    private static async Task<string[]> RefreshUntilFinishedAsync(HttpClient client, string location)
    {
        for (var refresh = 0; refresh < 60; refresh++)
        {
            var response = await client.GetAsync(location);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (!response.Headers.TryGetValues("Refresh", out var refreshAfter))
            {
                return lines;
            }

            await Task.Delay(TimeSpan.FromSeconds(int.Parse(refreshAfter.Single(), CultureInfo.InvariantCulture)));
        }

        throw new TimeoutException($"{location} still asks for refreshes after a minute.");
    }

    private static DateTime ParseStamp(string text) =>
        DateTime.ParseExact(text, SeedTimestampFormat, CultureInfo.InvariantCulture);
}
