using System.Diagnostics;
using my_app.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace my_app.Tests;

/// <summary>Each run is an activity, <c>job &lt;name&gt;</c>, in the trace of the request that started the job.</summary>
public sealed class TracingTests
{
    private const string RequestActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    [Fact]
    public async Task A_job_started_by_a_request_runs_as_a_child_of_the_requests_activity()
    {
        using var recorder = new ActivityRecorder(JobMetrics.MeterName, "Microsoft.AspNetCore");
        using var app = new BackgrounderAppFactory
        {
            MapTestEndpoints = endpoints => endpoints.MapGet("/traced", (BackgroundJobs jobs) => jobs.StartAsync((_, _) => Task.CompletedTask)).WithBackgrounder(),
        };
        var client = app.CreatePlainClient();

        var id = BackgrounderProtocolTests.IdOf((await client.GetAsync("/traced")).Headers.Location);
        var run = await recorder.WaitForAsync(activity => IsRunOf(activity, id));
        Assert.NotEqual(default, run.ParentSpanId);
        var request = await recorder.WaitForAsync(activity => activity.SpanId == run.ParentSpanId);

        Assert.Equal(RequestActivity, request.OperationName);
        Assert.Equal(request.TraceId, run.TraceId);
        Assert.Equal("job GET /traced", run.OperationName);
        Assert.Equal(ActivityKind.Internal, run.Kind);
        Assert.Equal("GET /traced", run.GetTagItem("job.name"));
        Assert.Equal("Succeeded", run.GetTagItem("job.state"));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);

        // The link is the record's, as another node would read it; clients never see it.
        Assert.Equal(request.Id, (await app.Store.StatusAsync(id)).TraceParent);
        var json = await client.GetStringAsync($"/jobs/{id}");
        Assert.DoesNotContain(run.TraceId.ToHexString(), json);
    }

    [Fact]
    public async Task A_failing_run_has_status_Error_and_the_exception_as_an_event()
    {
        using var recorder = new ActivityRecorder(JobMetrics.MeterName);
        using var app = new BackgrounderAppFactory();

        var id = await app.StartAsync((_, _) => throw new InvalidOperationException("disk full"));
        var run = await recorder.WaitForAsync(activity => IsRunOf(activity, id));

        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal("InvalidOperationException: disk full", run.StatusDescription);
        Assert.Equal("Failed", run.GetTagItem("job.state"));
        var exception = Assert.Single(run.Events, activityEvent => activityEvent.Name == "exception");
        Assert.Contains(exception.Tags, tag => tag is { Key: "exception.type", Value: "System.InvalidOperationException" });
        Assert.Contains(exception.Tags, tag => tag is { Key: "exception.message", Value: "disk full" });
    }

    [Fact]
    public async Task A_job_started_outside_any_request_starts_a_trace_of_its_own_current_for_the_jobs_code()
    {
        using var recorder = new ActivityRecorder(JobMetrics.MeterName);
        using var app = new BackgrounderAppFactory();
        var current = new TaskCompletionSource<Activity?>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The workers start inside an activity, and so carry it: a run's parent is still only what started the job.
        using (new Activity("host start").Start())
        {
            _ = app.Services;
        }

        var id = await app.Jobs.StartAsync("nightly-report", (_, _) =>
        {
            current.SetResult(Activity.Current);
            return Task.CompletedTask;
        });
        var run = await recorder.WaitForAsync(activity => IsRunOf(activity, id));

        Assert.Equal("job nightly-report", run.OperationName);
        Assert.Equal("nightly-report", run.GetTagItem("job.name"));
        Assert.Null(run.ParentId);
        Assert.Equal(default, run.ParentSpanId);
        Assert.Null((await app.Store.StatusAsync(id)).TraceParent);
        Assert.Same(run, await current.Task.WaitAsync(JobWaiting.Timeout));
    }

    [Fact]
    public async Task A_run_that_ignores_its_token_past_shutdown_ends_its_activity_Interrupted()
    {
        using var recorder = new ActivityRecorder(JobMetrics.MeterName);
        var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.Zero),
        };
        var neverReleased = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await app.StartAsync(async (_, _) =>
        {
            started.SetResult();
            await neverReleased.Task; // ignores its token on purpose
        });
        await started.Task.WaitAsync(JobWaiting.Timeout);

        await app.DisposeAsync();
        try
        {
            var run = await recorder.WaitForAsync(activity => IsRunOf(activity, id));
            Assert.Equal("Interrupted", run.GetTagItem("job.state"));
        }
        finally
        {
            neverReleased.SetResult();
        }
    }

    [Fact]
    public async Task Each_attempt_of_a_retried_job_is_an_activity_of_its_own_tagged_with_its_attempt()
    {
        using var recorder = new ActivityRecorder(JobMetrics.MeterName);
        var attempts = new RetryTests.Attempts(failures: 1);
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<RetryTests.AttemptScope>().AddJob<RetryTests.FailsOnce>(),
        };

        var id = await app.Jobs.StartAsync<RetryTests.FailsOnce>();
        var waiting = await app.Store.WaitForAsync(id, status => status.Attempt == 2);
        await app.Time.AdvanceToArmedAsync(waiting.RunAt!.Value);

        var first = await recorder.WaitForAsync(activity => IsRunOf(activity, id) && activity.GetTagItem("job.attempt") is 1);
        var second = await recorder.WaitForAsync(activity => IsRunOf(activity, id) && activity.GetTagItem("job.attempt") is 2);
        Assert.Equal(("Scheduled", ActivityStatusCode.Error), (first.GetTagItem("job.state"), first.Status));
        Assert.Equal(("Succeeded", ActivityStatusCode.Unset), (second.GetTagItem("job.state"), second.Status));
        Assert.NotEqual(first.SpanId, second.SpanId);
    }

    private static bool IsRunOf(Activity activity, JobId id) =>
        activity.Source.Name == JobMetrics.MeterName && activity.GetTagItem("job.id") as string == id.ToString();

    /// <summary>
    /// Records the activities of the named sources as they stop. Listeners see the whole process, where other tests
    /// run jobs and requests too: a test waits for the activity it can tell is its own.
    /// </summary>
    private sealed class ActivityRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _stopped = [];
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiting = [];

        public ActivityRecorder(params string[] sources)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => sources.Contains(source.Name),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Stopped,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The first stopped activity that matches, waiting for it to stop.</summary>
        public Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            lock (_stopped)
            {
                if (_stopped.FirstOrDefault(match) is { } stopped)
                {
                    return Task.FromResult(stopped);
                }

                var found = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((match, found));
                return found.Task.WaitAsync(JobWaiting.Timeout);
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Stopped(Activity activity)
        {
            lock (_stopped)
            {
                _stopped.Add(activity);
                foreach (var waiter in _waiting.Where(waiter => waiter.Match(activity)).ToList())
                {
                    waiter.Found.TrySetResult(activity);
                    _waiting.Remove(waiter);
                }
            }
        }
    }
}
