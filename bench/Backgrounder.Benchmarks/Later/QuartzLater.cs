using System.Collections.Concurrent;
using Backgrounder.Benchmarks.Throughput;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Backgrounder.Benchmarks.Later;

/// <summary>
/// Quartz.NET 4.7.3 as the anchor of measure 8: its in-memory store and 16 threads, jobs whose triggers start at a
/// given instant. A job is done when Quartz reports it executed; its lateness is then minus its scheduled fire time.
/// </summary>
public sealed class QuartzLater : IDisposable, IJobListener
{
    private readonly ServiceProvider _services;
    private readonly IScheduler _scheduler;
    private int _remaining;
    private int _batch;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QuartzLater()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuartz(quartz =>
        {
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = BenchSettings.Workers);
            quartz.UseInMemoryStore();
        });
        _services = services.BuildServiceProvider();
        _scheduler = _services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask().GetAwaiter().GetResult();
        _scheduler.ListenerManager.AddJobListener(this);
        _scheduler.Start().AsTask().GetAwaiter().GetResult();
    }

    public string Name => "later";

    /// <summary>How late each executed job ran, in ms, since the last <see cref="Expect"/>.</summary>
    public ConcurrentQueue<double> Lateness { get; } = new();

    /// <summary>Completes once <paramref name="jobs"/> more jobs have run.</summary>
    public Task Expect(int jobs)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Lateness.Clear();
        Volatile.Write(ref _remaining, jobs);
        return _done.Task;
    }

    /// <summary>Schedules <paramref name="jobs"/> no-op jobs whose triggers start at <paramref name="runAt"/>.</summary>
    public async Task ScheduleAsync(int jobs, DateTimeOffset runAt)
    {
        var batch = Interlocked.Increment(ref _batch);
        for (var i = 0; i < jobs; i++)
        {
            var job = JobBuilder.Create<QuartzNoOpJob>().WithIdentity($"{batch}-{i}").Build();
            await _scheduler.ScheduleJob(job, TriggerBuilder.Create().StartAt(runAt).Build());
        }
    }

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Lateness.Enqueue((DateTimeOffset.UtcNow - (context.ScheduledFireTimeUtc ?? context.FireTimeUtc)).TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _scheduler.Shutdown(waitForJobsToComplete: false).AsTask().GetAwaiter().GetResult();
        _services.Dispose();
    }
}
