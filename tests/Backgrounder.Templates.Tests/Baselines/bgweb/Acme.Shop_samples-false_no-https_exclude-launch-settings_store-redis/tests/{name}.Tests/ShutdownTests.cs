using System.Net;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Shop.Tests;

/// <summary>When the host stops: nothing new starts, queued jobs never run, running ones are asked to stop, the stubborn are recorded.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Queued_jobs_end_Canceled_without_running_and_cooperative_running_ones_end_Canceled()
    {
        var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var cooperative = new ScriptedJob();
        var running = await app.StartAsync(cooperative.RunAsync);
        await cooperative.Started;
        var queuedRan = false;
        var queued = new List<JobId>();
        for (var i = 0; i < 3; i++)
        {
            queued.Add(await app.StartAsync((_, _) =>
            {
                queuedRan = true;
                return Task.CompletedTask;
            }));
        }

        var store = app.Store;
        await app.DisposeAsync();

        foreach (var id in queued)
        {
            var status = await store.StatusAsync(id);
            Assert.Equal(JobState.Canceled, status.State);
            Assert.Null(status.StartedAt);
        }

        Assert.False(queuedRan);
        Assert.Equal(JobState.Canceled, (await store.StatusAsync(running)).State);
    }

    [Fact]
    public async Task A_job_that_ignores_its_token_past_the_shutdown_timeout_ends_Interrupted_with_a_last_line()
    {
        var app = new BackgrounderAppFactory
        {
            // No time to wait at all, so the test needs no real clock to run out.
            ConfigureTestServices = services => services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.Zero),
        };
        var neverReleased = new TaskCompletionSource();
        var stubbornStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = await app.StartAsync(async (context, _) =>
        {
            context.WriteLine("working");
            stubbornStarted.SetResult();
            await neverReleased.Task; // ignores its token on purpose
            context.WriteLine("after shutdown");
        });
        await stubbornStarted.Task.WaitAsync(JobWaiting.Timeout);
        await app.Store.WaitForLinesAsync(stubborn, 1);

        var store = app.Store;
        await app.DisposeAsync();
        neverReleased.SetResult();

        Assert.Equal(JobState.Interrupted, (await store.StatusAsync(stubborn)).State);
        Assert.Equal(["working", JobWorkerService.InterruptedLine], await store.LinesAsync(stubborn));
    }

    [Fact]
    public async Task Once_shutdown_has_begun_a_start_is_refused_with_503_and_nothing_is_left_queued()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));
        var busy = new ScriptedJob();
        await app.StartAsync(busy.RunAsync);
        await busy.Started;
        var client = app.CreatePlainClient();

        // The workers' own stop, as the host calls it first thing when it shuts down.
        var workers = app.Services.GetServices<IHostedService>().OfType<JobWorkerService>().Single();
        var stopping = workers.StopAsync(CancellationToken.None);

        var refused = await Assert.ThrowsAnyAsync<BadHttpRequestException>(() => app.StartAsync((_, _) => Task.CompletedTask));
        var response = await client.GetAsync(TestEndpoints.StartJob);
        await stopping.WaitAsync(JobWaiting.Timeout);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain(await app.Store.ListAsync(), job => job.State == JobState.Queued);
    }
}
