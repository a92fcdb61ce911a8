using System.Text.Json;
using my_app.Background;
using my_app.Jobs;

namespace my_app.Tests;

/// <summary>The seed's picture: two header lines, then <c>0: …</c> to <c>9: …</c> one interval apart.</summary>
public sealed class SeedSampleTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_index_prints_the_seeds_two_lines_before_its_job_runs()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync("/")).Headers.Location;

        var text = await client.GetStringAsync(location);

        Assert.Equal("Started at 2008-06-14 15:50:27.000000\nhit f5 to refresh!\n", text);
    }

    [Fact]
    public async Task LongRunning_writes_ten_numbered_lines_with_increasing_seed_timestamps()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync("/")).Headers.Location;
        var id = BackgrounderProtocolTests.IdOf(location);

        await _app.Time.RunUntilAsync(_app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromSeconds(1));
        var lines = (await client.GetStringAsync(location)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2 + LongRunning.Lines, lines.Length);
        Assert.Equal("hit f5 to refresh!", lines[1]);
        var stamps = lines.Skip(2).Select((line, i) =>
        {
            Assert.StartsWith($"{i}: ", line);
            return DateTime.ParseExact(line[$"{i}: ".Length..], SeedTimestamp.Format, null);
        }).ToList();
        Assert.Equal(stamps.Order(), stamps);
        Assert.True(stamps[0] > DateTime.ParseExact(lines[0]["Started at ".Length..], SeedTimestamp.Format, null));

        // The clock moved exactly one interval per line: the seed's one second apart.
        Assert.All(stamps.Zip(stamps.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(id)).State);
    }

    [Fact]
    public async Task LongRunning_fills_the_progress_bar_a_tenth_per_line()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync("/")).Headers.Location;
        var id = BackgrounderProtocolTests.IdOf(location);
        using var stream = await EventStream.OpenAsync(client, $"/jobs/{id}/events");

        await _app.Time.RunUntilAsync(_app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromSeconds(1));
        var events = await stream.ReadToEndAsync();

        // The stream sends the latest status whenever it wakes, so it may skip a step, never reorder one.
        var progress = events
            .Where(e => e.Type == "state")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("progress"))
            .Where(value => value.ValueKind == JsonValueKind.Number)
            .Select(value => value.GetDouble())
            .ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.All(progress, value => Assert.Contains(value, Enumerable.Range(1, LongRunning.Lines).Select(i => i / 10.0)));
        Assert.Equal(1.0, progress[^1]);
        Assert.Equal(1.0, (await _app.Store.StatusAsync(id)).Progress);
    }

    [Fact]
    public async Task The_live_page_of_the_index_shows_the_seeds_two_lines()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync("/")).Headers.Location;
        using var request = new HttpRequestMessage(HttpMethod.Get, location);
        request.Headers.Accept.ParseAdd("text/html");

        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("<pre id=\"output\"><span>Started at 2008-06-14 15:50:27.000000\n</span><span>hit f5 to refresh!\n</span></pre>", html);
    }
}
