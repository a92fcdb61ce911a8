using my_app.Background;

namespace my_app.Jobs;

/// <summary>
/// A background job. Register it in Jobs/JobsServiceCollectionExtensions.cs with
/// <c>services.AddJob&lt;ImportOrders&gt;();</c> and start it from a GET endpoint in Program.cs:
/// <code>
/// app.MapGet("/import-orders", (BackgroundJobs jobs) => jobs.StartAsync&lt;ImportOrders&gt;())
///    .WithBackgrounder();
/// </code>
/// The first request answers 303 to <c>/import-orders?_t=&lt;id&gt;</c>, where the job's output shows as it grows.
/// Each run gets the job from a DI scope of its own, so its constructor may take scoped services (a <c>DbContext</c>)
/// as well as singletons; the scope ends once the run's final state is recorded. Later: <c>jobs.ScheduleAsync&lt;ImportOrders&gt;(TimeSpan.FromMinutes(10))</c>.
/// Again after a failure: put <c>[Retry(3)]</c> on the class.
/// </summary>
public sealed class ImportOrders(TimeProvider time) : IJob
{
    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.WriteLine($"ImportOrders started at {time.GetLocalNow():yyyy-MM-dd HH:mm:ss}.");

        // Replace with the real work; pass the token on so a shutdown or a cancel stops it promptly.
        await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);

        context.WriteLine("ImportOrders finished.");
    }
}
