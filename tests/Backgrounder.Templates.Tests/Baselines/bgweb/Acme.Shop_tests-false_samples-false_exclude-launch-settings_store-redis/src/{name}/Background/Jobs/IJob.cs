namespace Acme.Shop.Background;

/// <summary>
/// A job class: started with <c>jobs.StartAsync&lt;TJob&gt;()</c>, built for each run in a DI scope of its own (so a
/// <c>DbContext</c> or any scoped service lives exactly as long as the run), and registered with
/// <c>services.AddJob&lt;TJob&gt;()</c> under its class name.
/// </summary>
public interface IJob
{
    Task RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>A job class that takes arguments: <c>jobs.StartAsync&lt;TJob, TArguments&gt;(arguments)</c>.</summary>
/// <typeparam name="TArguments">What one run works on; recorded with the job as JSON.</typeparam>
public interface IJob<in TArguments>
{
    Task RunAsync(TArguments arguments, JobContext context, CancellationToken cancellationToken);
}
