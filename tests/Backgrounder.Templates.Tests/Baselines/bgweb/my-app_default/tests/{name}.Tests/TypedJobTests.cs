using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using my_app.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StartedJob = my_app.Jobs.LongRunning;

namespace my_app.Tests;

/// <summary>Job classes: built for each run in a DI scope of their own, registered by name, recorded with their arguments.</summary>
public sealed class TypedJobTests
{
    [Fact]
    public async Task A_job_with_a_scoped_dependency_succeeds_and_its_scope_ends_after_the_final_state()
    {
        var probe = new ScopeProbe();
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(probe).AddScoped<ScopedResource>().AddJob<UsesScopedResource>(),
            MapTestEndpoints = endpoints => endpoints.MapGet("/import", (BackgroundJobs jobs) => jobs.StartAsync<UsesScopedResource>()).WithBackgrounder(),
        };

        var started = await app.CreatePlainClient().GetAsync("/import");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        var id = BackgrounderProtocolTests.IdOf(started.Headers.Location);

        // The request, and its scope, are over before the job touches its resource.
        probe.Release.SetResult();
        var status = await app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal(["resource used"], await app.Store.LinesAsync(id));
        Assert.Equal(JobState.Succeeded, await probe.DisposedWhile.Task.WaitAsync(JobWaiting.Timeout));
    }

    [Fact]
    public async Task Polling_a_jobs_output_builds_no_job()
    {
        var built = 0;
        var builtOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.Replace(ServiceDescriptor.Scoped(provider =>
            {
                Interlocked.Increment(ref built);
                builtOnce.TrySetResult();
                return ActivatorUtilities.CreateInstance<StartedJob>(provider);
            })),
        };
        var client = app.CreatePlainClient();
        var location = (await client.GetAsync(TestEndpoints.StartJob)).Headers.Location;

        // The run has built its job (it records Running before it builds it): from then on, polls alone.
        await builtOnce.Task.WaitAsync(JobWaiting.Timeout);

        for (var poll = 0; poll < 3; poll++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(location)).StatusCode);
        }

        Assert.Equal(1, Volatile.Read(ref built));
    }

    [Fact]
    public async Task A_delegate_job_reaches_its_own_scoped_services_through_its_context()
    {
        var probe = new ScopeProbe();
        probe.Release.SetResult();
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(probe).AddScoped<ScopedResource>(),
        };

        var id = await app.StartAsync((context, _) =>
        {
            var resource = context.Services.GetRequiredService<ScopedResource>();
            resource.JobId = context.JobId;
            context.WriteLine(resource.Use());
            return Task.CompletedTask;
        });

        Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(id)).State);
        Assert.Equal(JobState.Succeeded, await probe.DisposedWhile.Task.WaitAsync(JobWaiting.Timeout));
    }

    [Fact]
    public void Two_job_classes_with_one_name_stop_start_up_naming_both()
    {
        var error = StartupFailure.Of(() => new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddJob<North.ImportOrders>().AddJob<South.ImportOrders>(),
        });

        Assert.Contains("'ImportOrders'", error.Message);
        Assert.Contains(typeof(North.ImportOrders).FullName!, error.Message);
        Assert.Contains(typeof(South.ImportOrders).FullName!, error.Message);
    }

    [Fact]
    public async Task Name_kind_and_arguments_are_in_the_json_and_the_state_events()
    {
        using var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddJob<Greets>() };
        var id = await app.Jobs.StartAsync<Greets, Greeting>(new Greeting("Ada", 2));
        await app.Store.WaitUntilFinishedAsync(id);
        var client = app.CreatePlainClient();

        var json = await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}");
        Assert.Equal("Greets", json.GetProperty("name").GetString());
        Assert.Equal("typed", json.GetProperty("kind").GetString());
        Assert.Equal("Ada", json.GetProperty("arguments").GetProperty("name").GetString());
        Assert.Equal(2, json.GetProperty("arguments").GetProperty("times").GetInt32());
        Assert.Equal(["Hello, Ada!", "Hello, Ada!"], json.GetProperty("lines").EnumerateArray().Select(line => line.GetString()));

        using var events = await EventStream.OpenAsync(client, $"/jobs/{id}/events");
        ServerSentEvent? state;
        while ((state = await events.ReadAsync()) is { Type: not "state" })
        {
        }

        var stateJson = JsonDocument.Parse(state!.Data).RootElement;
        Assert.Equal("Greets", stateJson.GetProperty("name").GetString());
        Assert.Equal("typed", stateJson.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Object, stateJson.GetProperty("arguments").ValueKind);
    }

    [Fact]
    public async Task A_delegate_is_named_after_its_endpoints_route_else_given_a_name_or_job()
    {
        using var app = new BackgrounderAppFactory
        {
            MapTestEndpoints = endpoints => endpoints.MapGet("/reports/{year}", (BackgroundJobs jobs) => jobs.StartAsync((_, _) => Task.CompletedTask)).WithBackgrounder(),
        };

        var fromRequest = BackgrounderProtocolTests.IdOf((await app.CreatePlainClient().GetAsync("/reports/2026")).Headers.Location);
        var named = await app.Jobs.StartAsync("nightly-report", (_, _) => Task.CompletedTask);
        var unnamed = await app.StartAsync((_, _) => Task.CompletedTask);

        Assert.Equal("GET /reports/{year}", (await app.Store.StatusAsync(fromRequest)).Name);
        Assert.Equal("nightly-report", (await app.Store.StatusAsync(named)).Name);
        Assert.Equal(JobStatus.DefaultName, (await app.Store.StatusAsync(unnamed)).Name);
        foreach (var id in new[] { fromRequest, named, unnamed })
        {
            Assert.Equal(JobKind.Delegate, (await app.Store.StatusAsync(id)).Kind);
        }
    }

    [Fact]
    public async Task Arguments_longer_than_the_limit_or_not_serializable_are_refused_and_nothing_is_recorded()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxArgumentsLength", "64"))
        {
            ConfigureTestServices = services => services.AddJob<Greets>().AddJob<TakesACallback>(),
            MapTestEndpoints = endpoints => endpoints
                .MapGet("/greet", (BackgroundJobs jobs) => jobs.StartAsync<Greets, Greeting>(new Greeting(new string('a', 100), 1)))
                .WithBackgrounder(),
        };

        var tooLong = await Assert.ThrowsAnyAsync<ArgumentException>(() => app.Jobs.StartAsync<Greets, Greeting>(new Greeting(new string('a', 100), 1)));
        Assert.Contains("Backgrounder:MaxArgumentsLength", tooLong.Message);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => app.Jobs.StartAsync<TakesACallback, Action>(() => { }));
        var overHttp = await app.CreatePlainClient().GetAsync("/greet");

        Assert.Equal(HttpStatusCode.BadRequest, overHttp.StatusCode);
        Assert.Contains("Backgrounder:MaxArgumentsLength", await overHttp.Content.ReadAsStringAsync());
        Assert.Empty(await app.Store.ListAsync());
    }

    /// <summary>Lets a test hold a job back, and tells what state its job had when its run's scope was disposed.</summary>
    public sealed class ScopeProbe
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<JobState> DisposedWhile { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A scoped service, as a DbContext is: unusable once its scope is disposed.</summary>
    public sealed class ScopedResource(ScopeProbe probe, IJobStore store) : IAsyncDisposable
    {
        private bool _disposed;

        public JobId? JobId { get; set; }

        public string Use()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return "resource used";
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            if (JobId is { } id)
            {
                probe.DisposedWhile.TrySetResult((await store.StatusAsync(id)).State);
            }
        }
    }

    public sealed class UsesScopedResource(ScopedResource resource, ScopeProbe probe) : IJob
    {
        public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
        {
            resource.JobId = context.JobId;
            await probe.Release.Task.WaitAsync(cancellationToken);
            context.WriteLine(resource.Use());
        }
    }

    public sealed record Greeting(string Name, int Times);

    public sealed class Greets : IJob<Greeting>
    {
        public Task RunAsync(Greeting arguments, JobContext context, CancellationToken cancellationToken)
        {
            for (var i = 0; i < arguments.Times; i++)
            {
                context.WriteLine($"Hello, {arguments.Name}!");
            }

            return Task.CompletedTask;
        }
    }

    public sealed class TakesACallback : IJob<Action>
    {
        public Task RunAsync(Action arguments, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
