using System.Net;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

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
        // On Kestrel, as in production: it hands each request to the thread pool, where blocked jobs would starve it.
        using var app = new BackgrounderAppFactory();
        app.UseKestrel(port: 0);
        app.StartServer();
        var workers = new BackgrounderOptions().MaxConcurrentJobs;
        var released = false;
        using var blocking = new CountdownEvent(workers);
        var ids = new List<JobId>();
        for (var i = 0; i < workers; i++)
        {
            ids.Add(await app.StartAsync((_, _) =>
            {
                blocking.Signal();

                // Thread.Sleep, as ported from the seed's time.sleep: unlike a wait on an event, the thread pool
                // does not see it block, so nothing but spare threads keeps requests going.
                while (!Volatile.Read(ref released))
                {
                    Thread.Sleep(10);
                }

                return Task.CompletedTask;
            }));
        }

        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            await AnswersInTimeAsync(client, "/healthz");
            await AnswersInTimeAsync(client, $"{TestEndpoints.StartJob}?_t={ids[0]}");

            Assert.True(blocking.Wait(JobWaiting.Timeout));
            await AnswersInTimeAsync(client, "/healthz");
            await AnswersInTimeAsync(client, $"{TestEndpoints.StartJob}?_t={ids[^1]}");
        }
        finally
        {
            Volatile.Write(ref released, true);
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
