using Acme.Shop.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Shop.Tests;

/// <summary>
/// Jobs started outside any request, by a hosted service: they run with no owner, and a refused start is the public
/// <see cref="JobsUnavailableException"/>, which the service catches while the host runs on.
/// </summary>
public sealed class HostedServiceStartTests
{
    [Fact]
    public async Task A_hosted_service_starts_a_job_that_runs_with_no_owner()
    {
        using var app = AppWith(out var scheduler);
        _ = app.Services;

        scheduler.Go.SetResult();
        var id = await scheduler.Started.Task.WaitAsync(JobWaiting.Timeout);

        var status = await app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal("nightly-report", status.Name);
        Assert.Null(status.Owner);
        Assert.Equal(["report written"], await app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task A_refused_start_is_a_JobsUnavailableException_the_service_catches_and_the_host_runs_on()
    {
        using var app = AppWith(out var scheduler, ("Backgrounder:MaxConcurrentJobs", "1"), ("Backgrounder:QueueCapacity", "1"));
        var busy = new ScriptedJob();
        await app.StartAsync(busy.RunAsync);
        await busy.Started;
        await app.StartAsync((_, _) => Task.CompletedTask);

        scheduler.Go.SetResult();
        var refused = await scheduler.Refused.Task.WaitAsync(JobWaiting.Timeout);

        Assert.Contains("queue is full", refused.Message);
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(2, (await app.Store.ListAsync()).Count);
        busy.Finish();
        Assert.Equal("Healthy", await app.CreatePlainClient().GetStringAsync("/healthz"));
    }

    private static BackgrounderAppFactory AppWith(out ReportScheduler scheduler, params (string Key, string Value)[] settings)
    {
        var service = new ReportScheduler();
        scheduler = service;
        return new BackgrounderAppFactory(settings)
        {
            ConfigureTestServices = services => services.AddHostedService(provider => service.With(provider.GetRequiredService<BackgroundJobs>())),
        };
    }

    /// <summary>A service that starts a report when told to, as a timer or a message handler would.</summary>
    private sealed class ReportScheduler : BackgroundService
    {
        private BackgroundJobs? _jobs;

        public TaskCompletionSource Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<JobId> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<JobsUnavailableException> Refused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ReportScheduler With(BackgroundJobs jobs)
        {
            _jobs = jobs;
            return this;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Go.Task.WaitAsync(stoppingToken);
            try
            {
                Started.SetResult(await _jobs!.StartAsync("nightly-report", (context, _) =>
                {
                    context.WriteLine("report written");
                    return Task.CompletedTask;
                }, stoppingToken));
            }
            catch (JobsUnavailableException refused)
            {
                Refused.SetResult(refused);
            }
        }
    }
}
