using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>
/// The seed's idiom is <c>time.sleep</c>, ported as <c>Thread.Sleep</c> or a synchronous SDK call: jobs that block
/// their thread must not starve the requests that read them.
/// </summary>
public sealed class BlockingJobTests
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task With_every_worker_blocking_its_thread_the_output_and_health_still_answer_within_a_second()
    {
        using var app = new BackgrounderAppFactory();
        var workers = new BackgrounderOptions().MaxConcurrentJobs;
        using var release = new ManualResetEventSlim();
        using var blocking = new CountdownEvent(workers);
        var ids = new List<JobId>();
        for (var i = 0; i < workers; i++)
        {
            ids.Add(await app.StartAsync((_, _) =>
            {
                blocking.Signal();
                release.Wait();
                return Task.CompletedTask;
            }));
        }

        try
        {
            var client = app.CreatePlainClient();
            await AnswersInTimeAsync(client, "/healthz");
            await AnswersInTimeAsync(client, $"{TestEndpoints.StartJob}?_t={ids[0]}");

            Assert.True(blocking.Wait(JobWaiting.Timeout));
            await AnswersInTimeAsync(client, "/healthz");
            await AnswersInTimeAsync(client, $"{TestEndpoints.StartJob}?_t={ids[^1]}");
        }
        finally
        {
            release.Set();
        }

        foreach (var id in ids)
        {
            Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(id)).State);
        }
    }

    private static async Task AnswersInTimeAsync(HttpClient client, string url)
    {
        using var budget = new CancellationTokenSource(AnswerWithin);
        var response = await client.GetAsync(url, budget.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
