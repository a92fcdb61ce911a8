using System.Net;
using my_app.Background;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace my_app.Tests;

/// <summary>
/// The seed's idiom is <c>time.sleep</c>, ported as <c>Thread.Sleep</c> or a synchronous SDK call: jobs that block
/// their thread must not starve the requests that read them.
/// </summary>
[Collection(nameof(BlockingJobTests))]
public sealed class BlockingJobTests
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task With_every_worker_blocking_its_thread_the_output_and_health_still_answer_within_a_second()
    {
        // A second is one app's promise in its own process. Here it shares the process with every app the other tests
        // made, and each keeps its rate limiter's 100 ms timer running (dotnet/aspnetcore#66434): a couple of hundred
        // of them queue work ahead of requests, and an attempt can miss a second for them. So each attempt is a new
        // app with newly blocked workers, and one of three must answer every request in time. That the thread pool
        // is ready for the blocked workers from the start does not rest on timing: the next test pins it.
        var misses = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await BlockEveryWorkerAndMissAsync() is not { } miss)
            {
                return;
            }

            misses.Add(miss);
        }

        Assert.Fail($"Every attempt missed a second: {string.Join("; ", misses)}");
    }

    [Fact]
    public void Once_started_the_thread_pool_keeps_a_thread_ready_for_every_worker_beside_the_requests()
    {
        // Without it the pool adds a thread about every half second, so sixteen blocking jobs take seconds to start.
        using var app = new BackgrounderAppFactory();
        app.StartServer();
        var workers = app.Services.GetRequiredService<IOptions<BackgrounderOptions>>().Value.MaxConcurrentJobs;

        ThreadPool.GetMinThreads(out var workerThreads, out _);
        Assert.True(workerThreads >= Environment.ProcessorCount + workers, $"{workerThreads} threads ready for {workers} workers");
    }

    /// <summary>Blocks every worker's thread and asks for the output and health; returns what did not answer within a second.</summary>
    private static async Task<string?> BlockEveryWorkerAndMissAsync()
    {
        // On Kestrel, as in production: it hands each request to the thread pool, where blocked jobs would starve it.
        using var app = new BackgrounderAppFactory();
        app.UseKestrel(port: 0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        // Warm up first, with no budget: the one-second promise is about blocked workers, not a cold start's JIT.
        var warmUp = await app.StartAsync((_, _) => Task.CompletedTask);
        await app.Store.WaitUntilFinishedAsync(warmUp);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{TestEndpoints.StartJob}?_t={warmUp}")).StatusCode);

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

        string? miss;
        try
        {
            // At once, while the workers take their threads, and again once every one of them is blocking.
            miss = await MissedAsync(client, "/healthz")
                ?? await MissedAsync(client, $"{TestEndpoints.StartJob}?_t={ids[0]}");

            Assert.True(blocking.Wait(JobWaiting.Timeout));
            miss ??= await MissedAsync(client, "/healthz")
                ?? await MissedAsync(client, $"{TestEndpoints.StartJob}?_t={ids[^1]}");
        }
        finally
        {
            Volatile.Write(ref released, true);
        }

        foreach (var id in ids)
        {
            Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(id)).State);
        }

        return miss;
    }

    /// <summary>Null when <paramref name="url"/> answered 200 within <see cref="AnswerWithin"/>; else what happened.</summary>
    private static async Task<string?> MissedAsync(HttpClient client, string url)
    {
        using var budget = new CancellationTokenSource(AnswerWithin);
        try
        {
            var response = await client.GetAsync(url, budget.Token);
            return response.StatusCode == HttpStatusCode.OK ? null : $"{url} answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            return $"{url} did not answer within {AnswerWithin.TotalSeconds} s";
        }
    }
}

/// <summary>Alone, after the others: the one-second promise is the app's, not that of a process busy with other tests.</summary>
[CollectionDefinition(nameof(BlockingJobTests), DisableParallelization = true)]
public sealed class BlockingJobTestsCollection;
