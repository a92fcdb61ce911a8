using Company.WebApplication1.Background;

namespace Company.WebApplication1.Jobs;

/// <summary>
/// A background job. Register it in Jobs/JobsServiceCollectionExtensions.cs with
/// <c>services.AddJob&lt;BackgroundJob1&gt;();</c> and start it from a GET endpoint in Program.cs:
/// <code>
/// app.MapGet("/background-job1", (BackgroundJobs jobs) => jobs.StartAsync&lt;BackgroundJob1&gt;())
///    .WithBackgrounder();
/// </code>
/// The first request answers 303 to <c>/background-job1?_t=&lt;id&gt;</c>, where the job's output shows as it grows.
/// Each run gets the job from a DI scope of its own, so its constructor may take scoped services (a <c>DbContext</c>)
/// as well as singletons; the scope ends once the run's final state is recorded. Later: <c>jobs.ScheduleAsync&lt;BackgroundJob1&gt;(TimeSpan.FromMinutes(10))</c>.
/// Again after a failure: put <c>[Retry(3)]</c> on the class.
/// </summary>
public sealed class BackgroundJob1(TimeProvider time) : IJob
{
    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.WriteLine($"BackgroundJob1 started at {time.GetLocalNow():yyyy-MM-dd HH:mm:ss}.");

        // Replace with the real work; pass the token on so a shutdown or a cancel stops it promptly.
        await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);

        context.WriteLine("BackgroundJob1 finished.");
    }
}
