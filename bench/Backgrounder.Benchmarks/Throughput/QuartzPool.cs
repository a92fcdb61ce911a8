using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>
/// Quartz.NET with its in-memory store and as many threads: each job a <see cref="QuartzNoOpJob"/> with a trigger
/// that fires now. A job counts as complete when Quartz reports it executed (<see cref="IJobListener.JobWasExecuted"/>).
/// </summary>
public sealed class QuartzPool : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IScheduler _scheduler;
    private readonly Completions _completions = new();
    private int _batch;

    public QuartzPool(int workers)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuartz(quartz =>
        {
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = workers);
            quartz.UseInMemoryStore();
        });
        _services = services.BuildServiceProvider();
        _scheduler = _services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask().GetAwaiter().GetResult();
        _scheduler.ListenerManager.AddJobListener(_completions);
        _scheduler.Start().AsTask().GetAwaiter().GetResult();
    }

    public async Task RunAsync(int jobs)
    {
        var allDone = _completions.Expect(jobs);
        var batch = _batch++;
        for (var i = 0; i < jobs; i++)
        {
            var job = JobBuilder.Create<QuartzNoOpJob>().WithIdentity($"{batch}-{i}").Build();
            await _scheduler.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
        }

        await allDone;
    }

    public void Dispose()
    {
        _scheduler.Shutdown(waitForJobsToComplete: false).AsTask().GetAwaiter().GetResult();
        _services.Dispose();
    }

    /// <summary>Counts executed jobs and completes once as many as expected have run.</summary>
    private sealed class Completions : IJobListener
    {
        private int _remaining;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "completions";

        public Task Expect(int jobs)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, jobs);
            return _done.Task;
        }

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }
    }
}
