using my_app.Background;

namespace my_app.Jobs;

/// <summary>
/// A background job. Register it in Jobs/JobsServiceCollectionExtensions.cs with
/// <c>services.AddTransient&lt;ImportOrders&gt;();</c> and start it from a GET endpoint in Program.cs:
/// <code>
/// app.MapGet("/import-orders", async (BackgroundJobs jobs, ImportOrders job) => await jobs.StartAsync(job.RunAsync))
///    .WithBackgrounder();
/// </code>
/// The first request answers 303 to <c>/import-orders?_t=&lt;id&gt;</c>, where the job's output shows as it grows.
/// </summary>
public sealed class ImportOrders(TimeProvider time)
{
    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.WriteLine($"ImportOrders started at {time.GetLocalNow():yyyy-MM-dd HH:mm:ss}.");

        // Replace with the real work; pass the token on so a shutdown or a cancel stops it promptly.
        await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);

        context.WriteLine("ImportOrders finished.");
    }
}
