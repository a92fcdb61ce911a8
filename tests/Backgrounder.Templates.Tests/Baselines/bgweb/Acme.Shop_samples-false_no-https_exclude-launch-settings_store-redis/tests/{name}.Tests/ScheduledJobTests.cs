using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Shop.Tests;

/// <summary>Delayed jobs: <c>ScheduleAsync</c>, the Scheduled state before Queued, and what waits with it.</summary>
public sealed class ScheduledJobTests
{
    [Fact]
    public async Task A_delayed_job_waits_Scheduled_with_its_time_then_runs_once_the_clock_reaches_it()
    {
        var runs = new RunCounter();
        using var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddSingleton(runs).AddJob<CountsRuns>() };
        var scheduledAt = app.Time.GetUtcNow();

        var id = await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromMinutes(10));

        var json = await app.CreatePlainClient().GetFromJsonAsync<JsonElement>($"/jobs/{id}");
        Assert.Equal("Scheduled", json.GetProperty("state").GetString());
        Assert.Equal(scheduledAt.AddMinutes(10), json.GetProperty("runAt").GetDateTimeOffset());
        Assert.False(json.GetProperty("isFinished").GetBoolean());

        await app.Time.ArmedAsync(scheduledAt.AddMinutes(10));
        app.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(JobState.Scheduled, (await app.Store.StatusAsync(id)).State);

        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var status = await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.True(status.StartedAt >= scheduledAt.AddMinutes(10));
        Assert.Equal(1, runs.Count);
    }

    [Fact]
    public async Task A_job_scheduled_at_a_time_with_arguments_runs_with_them_then()
    {
        using var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddJob<TypedJobTests.Greets>() };
        var runAt = app.Time.GetUtcNow().AddHours(2);

        var id = await app.Jobs.ScheduleAsync<TypedJobTests.Greets, TypedJobTests.Greeting>(new("Ada", 2), runAt);

        var scheduled = await app.Store.StatusAsync(id);
        Assert.Equal((JobState.Scheduled, runAt, "Greets"), (scheduled.State, scheduled.RunAt, scheduled.Name));
        Assert.Equal("Ada", scheduled.Arguments!.Value.GetProperty("name").GetString());
        await app.Time.AdvanceToArmedAsync(runAt);
        await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal(["Hello, Ada!", "Hello, Ada!"], await app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task A_class_that_is_not_registered_cannot_be_scheduled_and_nothing_is_recorded()
    {
        using var app = new BackgrounderAppFactory();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromMinutes(1)));

        Assert.Contains(typeof(CountsRuns).FullName!, refused.Message);
        Assert.Contains("AddJob<CountsRuns>()", refused.Message);
        Assert.Empty(await app.Store.ListAsync(JobState.Scheduled));
    }

    [Fact]
    public async Task A_scheduled_job_canceled_ends_Canceled_and_never_runs()
    {
        var runs = new RunCounter();
        using var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddSingleton(runs).AddJob<CountsRuns>() };
        var id = await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromMinutes(1));
        var control = await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromMinutes(2));

        var response = await app.CreatePlainClient().PostAsync($"/jobs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var canceled = await app.Store.StatusAsync(id);
        Assert.Equal(JobState.Canceled, canceled.State);
        Assert.Equal([IJobStore.CanceledLine], await app.Store.LinesAsync(id));

        // Once the later job has run, the canceled one's time has long passed: it was not run.
        await app.Time.ArmedAsync(canceled.RunAt!.Value);
        app.Time.Advance(TimeSpan.FromMinutes(2));
        await app.Store.WaitUntilFinishedAsync(control);
        Assert.Equal(1, runs.Count);
        Assert.Equal(JobState.Canceled, (await app.Store.StatusAsync(id)).State);
    }

    [Fact]
    public async Task A_handler_that_schedules_answers_303_and_the_waiting_job_refreshes_streams_and_is_filtered()
    {
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddJob<CountsRuns>().AddSingleton<RunCounter>(),
            MapTestEndpoints = endpoints => endpoints
                .MapGet("/later", (BackgroundJobs jobs) => jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromMinutes(1)))
                .WithBackgrounder(),
        };
        var client = app.CreatePlainClient();

        var started = await client.GetAsync("/later");

        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        var id = BackgrounderProtocolTests.IdOf(started.Headers.Location);
        var runAt = (await app.Store.StatusAsync(id)).RunAt!.Value;

        var poll = await client.GetAsync(started.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        Assert.Equal("1", poll.Headers.GetValues("Refresh").Single());

        using var liveRequest = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/live");
        liveRequest.Headers.Accept.ParseAdd("text/html");
        var live = await client.SendAsync(liveRequest);
        Assert.Equal("1", live.Headers.GetValues("Refresh").Single());
        var page = await live.Content.ReadAsStringAsync();
        Assert.Contains($"runs at <time>{runAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>", page);
        Assert.DoesNotContain("id=\"runat\" class=\"runat\" hidden", page);

        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        var rows = await client.GetFromJsonAsync<JsonElement[]>("/threaddb?state=Scheduled");
        var row = Assert.Single(rows!);
        Assert.Equal(id.ToString(), row.GetProperty("id").GetString());
        Assert.Equal(runAt, row.GetProperty("runAt").GetDateTimeOffset());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>("/threaddb?state=Queued"))!);

        // The stream stays open while it waits, and follows the job through its run.
        using var events = await EventStream.OpenAsync(app.CreatePlainClient(), $"/jobs/{id}/events");
        var first = await events.ReadAsync();
        var state = JsonDocument.Parse(first!.Data).RootElement;
        Assert.Equal(("state", "Scheduled"), (first.Type, state.GetProperty("state").GetString()));
        Assert.Equal(runAt, state.GetProperty("runAt").GetDateTimeOffset());
        await app.Time.AdvanceToArmedAsync(runAt);
        await app.Store.WaitUntilFinishedAsync(id);
        var rest = await events.ReadToEndAsync();
        Assert.Equal("Succeeded", JsonDocument.Parse(rest.Last(e => e.Type == "state").Data).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Past_MaxScheduledJobs_a_schedule_is_refused_with_503_and_retention_keeps_every_scheduled_job()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxScheduledJobs", "2"), ("Backgrounder:MaxRetainedJobs", "1"))
        {
            ConfigureTestServices = services => services.AddJob<CountsRuns>().AddSingleton<RunCounter>(),
            MapTestEndpoints = endpoints => endpoints
                .MapGet("/later", (BackgroundJobs jobs) => jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromDays(1)))
                .WithBackgrounder(),
        };
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync("/later")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync("/later")).StatusCode);

        var refused = await client.GetAsync("/later");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("Backgrounder:MaxScheduledJobs", await refused.Content.ReadAsStringAsync());

        // MaxRetainedJobs (1) bounds finished jobs alone: each new one makes the last go, the scheduled ones stay.
        for (var i = 0; i < 3; i++)
        {
            await app.Store.WaitUntilFinishedAsync(await app.StartAsync((_, _) => Task.CompletedTask));
        }

        app.Time.Advance(TimeSpan.FromHours(2));
        await app.Store.RemoveExpiredAsync();
        Assert.Equal(2, (await app.Store.ListAsync(JobState.Scheduled)).Count);
    }

    [Fact]
    public async Task Due_jobs_are_claimed_only_as_far_as_the_queue_has_room_and_the_rest_wait_their_turn()
    {
        var runs = new RunCounter();
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"))
        {
            ConfigureTestServices = services => services.AddSingleton(runs).AddJob<CountsRuns>(),
        };
        var blocker = new ScriptedJob();
        var running = await app.StartAsync(blocker.RunAsync);
        await blocker.Started;
        var due = new[]
        {
            await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromSeconds(1)),
            await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromSeconds(1)),
            await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromSeconds(1)),
        };

        await app.Time.AdvanceToArmedAsync((await app.Store.StatusAsync(due[0])).RunAt!.Value);

        // One slot: one due job is queued, the others stay Scheduled (late) rather than pass the queue's capacity.
        await await Task.WhenAny(due.Select(id => app.Store.WaitForAsync(id, status => status.State != JobState.Scheduled)));
        var states = await Task.WhenAll(due.Select(id => app.Store.StatusAsync(id)));
        Assert.Equal(1, states.Count(status => status.State == JobState.Queued));
        Assert.Equal(2, states.Count(status => status.State == JobState.Scheduled));

        blocker.Finish();
        foreach (var id in due)
        {
            Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(id)).State);
        }

        Assert.Equal(3, runs.Count);
        Assert.Equal(JobState.Succeeded, (await app.Store.StatusAsync(running)).State);
    }

    [Fact]
    public async Task At_shutdown_the_in_memory_stores_scheduled_jobs_end_Canceled_saying_a_restart_loses_them()
    {
        IJobStore store;
        JobId id;
        using (var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddJob<CountsRuns>().AddSingleton<RunCounter>() })
        {
            store = app.Store;
            id = await app.Jobs.ScheduleAsync<CountsRuns>(TimeSpan.FromHours(1));
        }

        var status = await store.StatusAsync(id);
        Assert.Equal(JobState.Canceled, status.State);
        Assert.Equal([JobScheduler.ShutdownLine], await store.LinesAsync(id));
    }

    public sealed class RunCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Ran() => Interlocked.Increment(ref _count);
    }

    public sealed class CountsRuns(RunCounter runs) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken)
        {
            runs.Ran();
            context.WriteLine("ran");
            return Task.CompletedTask;
        }
    }
}
