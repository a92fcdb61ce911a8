using System.Net;
using my_app.Background;

namespace my_app.Tests;

/// <summary>A full queue refuses starts with 503 at once; nothing accepted loses a line.</summary>
public sealed class BackPressureTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "2"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_burst_of_fifty_starts_is_each_accepted_or_refused_and_each_accepted_job_has_its_own_complete_output()
    {
        var client = _app.CreatePlainClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync(TestEndpoints.StartJob)));

        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.SeeOther).Select(r => BackgrounderProtocolTests.IdOf(r.Headers.Location)).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(50, accepted.Count + refused.Count);

        // One may run while two wait; more would mean the queue let one past its capacity.
        Assert.InRange(accepted.Count, 2, 3);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter!.Delta));
        Assert.Equal(accepted.Select(id => id.ToString()).Order(), (await _app.Store.ListAsync()).Select(job => job.Id.ToString()).Order());

        await _app.Time.RunUntilAsync(Task.WhenAll(accepted.Select(_app.Store.WaitUntilFinishedAsync)), TimeSpan.FromSeconds(1));
        foreach (var id in accepted)
        {
            Assert.Equal(JobState.Succeeded, (await _app.Store.StatusAsync(id)).State);
            var text = await client.GetStringAsync($"{TestEndpoints.StartJob}?_t={id}");
            Assert.Equal(ExpectedOutputLines, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(LineShape));
        }
    }

    [Fact]
    public async Task A_refused_start_says_why_in_plain_text()
    {
        var client = _app.CreatePlainClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync(TestEndpoints.StartJob)));

        var refused = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);

        Assert.Contains("queue is full", await refused.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", refused.Content.Headers.ContentType!.ToString());
    }

    // The index's two lines, then LongRunning's ten numbered ones: each job's own, none lost, none borrowed.
    private static readonly string[] ExpectedOutputLines =
        ["Started at", "hit f5 to refresh!", .. Enumerable.Range(0, Jobs.LongRunning.Lines).Select(i => $"{i}")];

    private static string LineShape(string line) => line.StartsWith("Started at ", StringComparison.Ordinal) ? "Started at" : line.Split(':')[0];
}
