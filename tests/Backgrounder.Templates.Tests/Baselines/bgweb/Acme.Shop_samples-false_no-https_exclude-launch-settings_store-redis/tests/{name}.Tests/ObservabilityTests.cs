using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Shop.Tests;

/// <summary>Job counters and gauges on the app's meter, and /healthz that turns Degraded before the queue is full.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Counters_and_gauges_follow_jobs_through_their_states()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"));
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            // Other tests' apps publish the same meter name in this process; only this app's factory counts.
            if (instrument.Meter.Name == JobMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        // The three jobs end on different threads (a queued cancel is counted where the cancel arrives, a finished
        // job by its worker after the store has its state), so the test waits for all three counts, not the last one.
        string[] finishedCounters = ["backgrounder.jobs.succeeded", "backgrounder.jobs.failed", "backgrounder.jobs.canceled"];
        var finishedCounted = 0;
        var allFinishedCounted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            totals.AddOrUpdate(instrument.Name, value, (_, total) => instrument is ObservableGauge<long> ? value : total + value);
            if (finishedCounters.Contains(instrument.Name) && Interlocked.Add(ref finishedCounted, (int)value) == 3)
            {
                allFinishedCounted.TrySetResult();
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => totals[instrument.Name] = value);
        listener.Start();

        var blocker = new ScriptedJob();
        var running = await app.StartAsync(blocker.RunAsync);
        await blocker.Started;
        var queued = await app.StartAsync((_, _) => throw new InvalidOperationException("boom"));
        var refused = await Assert.ThrowsAnyAsync<BadHttpRequestException>(() => app.StartAsync((_, _) => Task.CompletedTask));
        listener.RecordObservableInstruments();
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.StatusCode);
        Assert.Equal(1, totals["backgrounder.jobs.queued"]);
        Assert.Equal(1, totals["backgrounder.jobs.running"]);

        blocker.Finish();
        await app.Store.WaitUntilFinishedAsync(running);
        await app.Store.WaitUntilFinishedAsync(queued);
        var canceled = await app.StartAsync(new ScriptedJob().RunAsync);
        await app.Store.RequestCancelAsync(canceled);
        await app.Store.WaitUntilFinishedAsync(canceled);

        await allFinishedCounted.Task.WaitAsync(JobWaiting.Timeout);
        listener.RecordObservableInstruments();

        Assert.Equal(3, totals["backgrounder.jobs.started"]);
        Assert.Equal(1, totals["backgrounder.jobs.succeeded"]);
        Assert.Equal(1, totals["backgrounder.jobs.failed"]);
        Assert.Equal(1, totals["backgrounder.jobs.canceled"]);
        Assert.Equal(1, totals["backgrounder.jobs.rejected"]);
        Assert.Equal(0, totals["backgrounder.jobs.queued"]);
        Assert.Equal(0, totals["backgrounder.jobs.running"]);
    }

    [Fact]
    public async Task Counters_and_the_run_duration_carry_the_jobs_name()
    {
        using var app = new BackgrounderAppFactory();
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        var names = new ConcurrentDictionary<string, string?>();
        var durations = new ConcurrentQueue<(double Seconds, string? Name)>();
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => names[instrument.Name] = NameIn(tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            durations.Enqueue((value, NameIn(tags)));
            recorded.TrySetResult();
        });
        listener.Start();

        var script = new ScriptedJob();
        var id = await app.Jobs.StartAsync("nightly-report", script.RunAsync);
        await script.Started;
        app.Time.Advance(TimeSpan.FromSeconds(3));
        script.Finish();
        await app.Store.WaitUntilFinishedAsync(id);
        await recorded.Task.WaitAsync(JobWaiting.Timeout);

        Assert.Equal("nightly-report", names["backgrounder.jobs.started"]);
        Assert.Equal("nightly-report", names["backgrounder.jobs.succeeded"]);
        var (seconds, name) = Assert.Single(durations);
        Assert.Equal("nightly-report", name);
        Assert.Equal(3, seconds, precision: 3);
    }

    private static string? NameIn(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == JobMetrics.NameTag)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    [Fact]
    public async Task Healthz_is_Healthy_then_Degraded_past_ninety_percent_of_the_queue()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "10"));
        var client = app.CreatePlainClient();
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));

        var blocker = new ScriptedJob();
        await app.StartAsync(blocker.RunAsync);
        await blocker.Started;
        for (var i = 0; i < 9; i++)
        {
            await app.StartAsync((_, _) => Task.CompletedTask);
        }

        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
        await app.StartAsync((_, _) => Task.CompletedTask);

        var degraded = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Equal("Degraded", await degraded.Content.ReadAsStringAsync());
        blocker.Finish();
    }
}
