using System.Net;
using System.Text.RegularExpressions;
using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acme.Shop.Tests;

/// <summary>The seed lost a failing thread silently; here the job ends Failed, says why, and the worker lives on.</summary>
public sealed partial class JobFailureTests
{
    [Fact]
    public async Task A_job_that_throws_ends_Failed_with_the_exception_as_its_last_line_in_Development()
    {
        using var app = new BackgrounderAppFactory();
        var id = await app.StartAsync(async (context, _) =>
        {
            context.WriteLine("working");
            await Task.Yield();
            throw new InvalidOperationException("disk full");
        });

        var status = await app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal("InvalidOperationException: disk full", status.Error);
        Assert.Equal(["working", "Job failed: InvalidOperationException: disk full"], await app.Store.LinesAsync(id));
        var text = await app.CreatePlainClient().GetStringAsync($"{TestEndpoints.StartJob}?_t={id}");
        Assert.EndsWith("Job failed: InvalidOperationException: disk full\n", text);
    }

    [Fact]
    public async Task Outside_Development_clients_see_the_exception_type_and_a_reference_that_the_log_also_has_never_the_message()
    {
        var log = new CapturingLoggerProvider();
        using var app = new BackgrounderAppFactory
        {
            Environment = "Production",
            ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(log),
        };
        var id = await app.StartAsync((_, _) => throw new InvalidOperationException("password=hunter2"));

        var status = await app.Store.WaitUntilFinishedAsync(id);

        var match = Reference().Match(status.Error!);
        Assert.True(match.Success, status.Error);
        Assert.Equal($"Job failed: {status.Error}", (await app.Store.LinesAsync(id))[^1]);
        Assert.DoesNotContain("hunter2", await app.CreatePlainClient().GetStringAsync($"/jobs/{id}"));
        Assert.Contains(log.Messages, message => message.Contains(match.Groups[1].Value, StringComparison.Ordinal) && message.Contains(id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_job_that_throws_before_returning_a_task_or_returns_a_faulted_one_is_recorded_too()
    {
        using var app = new BackgrounderAppFactory();

        var thrown = await app.StartAsync((_, _) => throw new ArgumentException("bad input"));
        var faulted = await app.StartAsync((_, _) => Task.FromException(new TimeoutException("upstream")));

        Assert.Equal("ArgumentException: bad input", (await app.Store.WaitUntilFinishedAsync(thrown)).Error);
        Assert.Equal("TimeoutException: upstream", (await app.Store.WaitUntilFinishedAsync(faulted)).Error);
    }

    [Fact]
    public async Task An_exception_whose_message_throws_still_ends_the_job_Failed_and_the_worker_goes_on()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"));

        var broken = await app.StartAsync((_, _) => throw new ExceptionWithBrokenMessage());
        var next = await app.StartAsync((_, _) => Task.CompletedTask);

        var status = await app.Store.WaitUntilFinishedAsync(broken);
        Assert.Equal(JobState.Failed, status.State);
        Assert.StartsWith(nameof(ExceptionWithBrokenMessage), status.Error);
        Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(next)).State);
    }

    [Fact]
    public async Task A_logger_that_throws_cannot_kill_a_worker_or_leave_a_job_Running()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:MaxConcurrentJobs", "1"))
        {
            ConfigureTestServices = services => services.AddSingleton<ILoggerProvider, ThrowingLoggerProvider>(),
        };

        var failing = await app.StartAsync((_, _) => throw new InvalidOperationException("boom"));
        var next = await app.StartAsync((_, _) => Task.CompletedTask);

        Assert.Equal(JobState.Failed, (await app.Store.WaitUntilFinishedAsync(failing)).State);
        Assert.Equal(JobState.Succeeded, (await app.Store.WaitUntilFinishedAsync(next)).State);
    }

    [Fact]
    public async Task The_app_keeps_serving_after_a_job_fails()
    {
        using var app = new BackgrounderAppFactory();
        await app.Store.WaitUntilFinishedAsync(await app.StartAsync((_, _) => throw new InvalidOperationException("boom")));

        var response = await app.CreatePlainClient().GetAsync(TestEndpoints.StartJob);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
    }

    [GeneratedRegex(@"^InvalidOperationException \(reference ([0-9a-f]{8})\)$")]
    private static partial Regex Reference();

    private sealed class ExceptionWithBrokenMessage : Exception
    {
        public override string Message => throw new InvalidOperationException("The message itself fails.");

        public override string ToString() => throw new InvalidOperationException("So does the text.");
    }

    [Fact]
    public async Task What_a_run_logs_carries_its_job_id_and_name()
    {
        var log = new ScopeCapturingLoggerProvider();
        using var app = new BackgrounderAppFactory { ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(log) };

        var id = await app.Jobs.StartAsync("nightly-report", (_, _) => throw new InvalidOperationException("no file"));
        await app.Store.WaitUntilFinishedAsync(id);

        var scope = await log.FirstErrorScope;
        Assert.Equal(id.ToString(), scope["JobId"]);
        Assert.Equal("nightly-report", scope["JobName"]);
    }
}
