using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>A full queue refuses starts with 503 at once; nothing accepted loses a line.</summary>
public sealed class BackPressureTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "2"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_burst_of_fifty_starts_is_each_accepted_or_refused_and_accepted_jobs_keep_all_their_output()
    {
        var client = _app.CreatePlainClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync(TestEndpoints.StartJob)));

        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.SeeOther).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(50, accepted.Count + refused.Count);
        Assert.InRange(accepted.Count, 2, 3);
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(accepted.Count, _app.Store.Count);

        var jobs = accepted.Select(r => _app.GetJob(BackgrounderProtocolTests.IdOf(r.Headers.Location))).ToList();
        await _app.Time.AdvanceUntilAsync(Task.WhenAll(jobs.Select(job => job.Finished)), TimeSpan.FromSeconds(1));
        Assert.All(jobs, job => Assert.Equal(JobState.Succeeded, job.Status.State));
        Assert.Single(jobs.Select(job => string.Join('|', job.Output.Read().Lines.Skip(1).Select(line => line.Split(':')[0]))).Distinct());
    }

    [Fact]
    public async Task A_refused_start_says_why_in_plain_text()
    {
        var client = _app.CreatePlainClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync(TestEndpoints.StartJob)));

        var refused = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);

        Assert.Contains("queue is full", await refused.Content.ReadAsStringAsync());
        Assert.Equal("1", refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString());
    }
}
