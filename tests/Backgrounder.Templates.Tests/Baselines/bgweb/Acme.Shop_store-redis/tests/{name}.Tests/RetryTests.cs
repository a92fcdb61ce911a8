using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acme.Shop.Tests;

/// <summary>[Retry]: a failed job's next attempts, each after its backoff, in one record with one output.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task A_failing_job_is_tried_again_after_a_jittered_doubling_backoff_in_one_record_then_succeeds()
    {
        var attempts = new Attempts(failures: 2);
        var log = new ScopeCapturingLoggerProvider();
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<AttemptScope>().AddJob<FailsAtFirst>().AddSingleton<ILoggerProvider>(log),
        };
        using var counters = new Counters(app);

        var id = await app.Jobs.StartAsync<FailsAtFirst>();

        var second = await app.Store.WaitForAsync(id, status => status.Attempt == 2);
        var failedAt = app.Time.GetUtcNow();
        Assert.Equal(JobState.Scheduled, second.State);
        AssertBetween(failedAt + TimeSpan.FromSeconds(8), second.RunAt!.Value, failedAt + TimeSpan.FromSeconds(12));
        Assert.Equal(new RetryPolicy(2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), false), second.Retry);
        var json = await app.CreatePlainClient().GetFromJsonAsync<JsonElement>($"/jobs/{id}");
        Assert.Equal(("Scheduled", 2), (json.GetProperty("state").GetString(), json.GetProperty("attempt").GetInt32()));
        Assert.Equal(
            """{"attempts":2,"backoff":"00:00:10","maxBackoff":"00:10:00","onInterrupted":false}""",
            json.GetProperty("retry").GetRawText());
        Assert.Equal(["attempt 1", $"Attempt 1 of 3 failed: InvalidOperationException; next attempt at {Utc(second.RunAt!.Value)}"], await app.Store.LinesAsync(id));

        // The clock moves only here, each time to the next attempt's time: what a failure sees as now is known.
        await app.Time.AdvanceToArmedAsync(second.RunAt!.Value);
        var third = await app.Store.WaitForAsync(id, status => status.Attempt == 3);
        var secondFailedAt = app.Time.GetUtcNow();
        AssertBetween(secondFailedAt + TimeSpan.FromSeconds(16), third.RunAt!.Value, secondFailedAt + TimeSpan.FromSeconds(24));

        await app.Time.AdvanceToArmedAsync(third.RunAt!.Value);
        var done = await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal((JobState.Succeeded, 3), (done.State, done.Attempt));
        var lines = await app.Store.ReadLinesAsync(id, 0);
        Assert.Equal(0, lines.First);
        Assert.Equal(
            ["attempt 1", $"Attempt 1 of 3 failed: InvalidOperationException; next attempt at {Utc(second.RunAt!.Value)}",
             "attempt 2", $"Attempt 2 of 3 failed: InvalidOperationException; next attempt at {Utc(third.RunAt!.Value)}",
             "attempt 3"],
            lines.Lines);

        // Each attempt had a DI scope, and a logging scope, of its own.
        Assert.Equal(3, attempts.Scopes.Distinct().Count());
        // Each failure is logged after its next attempt is scheduled: waited for, not assumed.
        Assert.Equal([1, 2], (await log.ErrorScopesAsync(2)).Select(scope => scope["Attempt"]).Cast<int>());
        await counters.CountedAsync("backgrounder.jobs.succeeded", 1);
        Assert.Equal(1, counters["backgrounder.jobs.started"]);
        Assert.Equal(2, counters["backgrounder.jobs.retried"]);
        Assert.Equal(0, counters["backgrounder.jobs.failed"]);
    }

    [Fact]
    public async Task After_its_last_attempt_a_job_ends_Failed_and_is_counted_once()
    {
        var attempts = new Attempts(failures: int.MaxValue);
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<AttemptScope>().AddJob<FailsOnce>(),
        };
        using var counters = new Counters(app);

        var id = await app.Jobs.StartAsync<FailsOnce>();
        await app.Time.RunUntilAsync(app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromMinutes(1));

        var status = await app.Store.StatusAsync(id);
        Assert.Equal((JobState.Failed, 2), (status.State, status.Attempt));
        Assert.StartsWith("InvalidOperationException", status.Error);
        var lines = await app.Store.LinesAsync(id);
        Assert.StartsWith("Attempt 1 of 2 failed: InvalidOperationException; next attempt at ", lines[1]);
        Assert.StartsWith("Job failed: InvalidOperationException", lines[^1]);
        Assert.Equal(2, attempts.Count);
        await counters.CountedAsync("backgrounder.jobs.failed", 1);
        Assert.Equal(1, counters["backgrounder.jobs.retried"]);
        Assert.Equal(1, counters["backgrounder.jobs.started"]);
    }

    [Fact]
    public async Task MaxBackoff_bounds_every_delay()
    {
        var attempts = new Attempts(failures: int.MaxValue);
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<AttemptScope>().AddJob<CappedBackoff>(),
        };

        var id = await app.Jobs.StartAsync<CappedBackoff>();
        var second = await app.Store.WaitForAsync(id, status => status.Attempt == 2);
        AssertBetween(app.Time.GetUtcNow() + TimeSpan.FromSeconds(48), second.RunAt!.Value, app.Time.GetUtcNow() + TimeSpan.FromSeconds(72));

        // Doubled, 120 s ± 20 % is at least 96 s: past the 90 s most, so exactly that.
        await app.Time.AdvanceToArmedAsync(second.RunAt!.Value);
        var third = await app.Store.WaitForAsync(id, status => status.Attempt == 3);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromSeconds(90), third.RunAt);
    }

    [Fact]
    public async Task A_cancel_between_attempts_ends_the_job_and_no_attempt_follows()
    {
        var attempts = new Attempts(failures: int.MaxValue);
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<AttemptScope>().AddJob<FailsAtFirst>(),
        };
        var id = await app.Jobs.StartAsync<FailsAtFirst>();
        await app.Store.WaitForAsync(id, status => status.State == JobState.Scheduled);

        Assert.True(await app.Store.RequestCancelAsync(id));

        var control = await app.StartAsync((_, _) => Task.CompletedTask);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.Store.WaitUntilFinishedAsync(control);
        var status = await app.Store.StatusAsync(id);
        Assert.Equal((JobState.Canceled, 2), (status.State, status.Attempt));
        Assert.Equal(1, attempts.Count);
    }

    [Fact]
    public async Task A_cancel_while_an_attempt_runs_stops_the_retrying()
    {
        var attempts = new Attempts(failures: int.MaxValue) { IgnoresCancel = true };
        using var app = new BackgrounderAppFactory
        {
            ConfigureTestServices = services => services.AddSingleton(attempts).AddScoped<AttemptScope>().AddJob<FailsAtFirst>(),
        };
        var id = await app.Jobs.StartAsync<FailsAtFirst>();
        await attempts.Running.WaitAsync(JobWaiting.Timeout);

        Assert.True(await app.Store.RequestCancelAsync(id));
        attempts.Release.SetResult();

        var status = await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal((JobState.Failed, 1), (status.State, status.Attempt));
        Assert.DoesNotContain(await app.Store.LinesAsync(id), line => line.StartsWith("Attempt 1 of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delegate_job_is_never_retried()
    {
        using var app = new BackgrounderAppFactory();

        var id = await app.StartAsync((_, _) => throw new InvalidOperationException("once"));

        var status = await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal((JobState.Failed, 1, null), (status.State, status.Attempt, status.Retry));
    }

    [Fact]
    public void A_retry_policy_that_cannot_be_read_stops_startup_naming_the_job()
    {
        var error = StartupFailure.Of(() => new BackgrounderAppFactory { ConfigureTestServices = services => services.AddJob<BadBackoff>() });

        Assert.Contains("Job BadBackoff", error.Message);
        Assert.Contains("Backoff = \"ten seconds\"", error.Message);
    }

    [Fact]
    public async Task A_retry_policy_that_cannot_be_read_fails_the_start_of_a_class_that_is_not_registered()
    {
        using var app = new BackgrounderAppFactory();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Jobs.StartAsync<BadBackoff>());

        Assert.Contains("Job BadBackoff", refused.Message);
        Assert.Empty(await app.Store.ListAsync());
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void AssertBetween(DateTimeOffset low, DateTimeOffset actual, DateTimeOffset high) =>
        Assert.InRange(actual, low, high);

    /// <summary>How many attempts ran, in which DI scopes; the first <c>failures</c> of them throw.</summary>
    public sealed class Attempts(int failures)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public ConcurrentQueue<AttemptScope> Scopes { get; } = new();

        public bool IgnoresCancel { get; init; }

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Running => _running.Task;

        public async Task RunAsync(JobContext context, AttemptScope scope)
        {
            var attempt = Interlocked.Increment(ref _count);
            Scopes.Enqueue(scope);
            context.WriteLine($"attempt {attempt}");
            if (IgnoresCancel)
            {
                _running.TrySetResult();
                await Release.Task;
            }

            if (attempt <= failures)
            {
                throw new InvalidOperationException($"attempt {attempt} failed");
            }
        }
    }

    public sealed class AttemptScope;

    [Retry(2)]
    public sealed class FailsAtFirst(Attempts attempts, AttemptScope scope) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => attempts.RunAsync(context, scope);
    }

    [Retry(1, Backoff = "00:00:05")]
    public sealed class FailsOnce(Attempts attempts, AttemptScope scope) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => attempts.RunAsync(context, scope);
    }

    [Retry(5, Backoff = "00:01:00", MaxBackoff = "00:01:30")]
    public sealed class CappedBackoff(Attempts attempts, AttemptScope scope) : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => attempts.RunAsync(context, scope);
    }

    [Retry(2, Backoff = "ten seconds")]
    public sealed class BadBackoff : IJob
    {
        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Totals of this app's counters (other tests' apps publish the same meter name in this process).</summary>
    private sealed class Counters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _totals = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _reached = new();

        public Counters(BackgrounderAppFactory app)
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == JobMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory) && instrument is Counter<long>)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
                _reached.GetOrAdd(instrument.Name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            });
            _listener.Start();
        }

        public long this[string name] => _totals.GetValueOrDefault(name);

        /// <summary>Waits until <paramref name="name"/> has counted, then checks it counted <paramref name="expected"/>.</summary>
        public async Task CountedAsync(string name, long expected)
        {
            await _reached.GetOrAdd(name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(JobWaiting.Timeout);
            Assert.Equal(expected, this[name]);
        }

        public void Dispose() => _listener.Dispose();
    }
}
