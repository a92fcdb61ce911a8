using my_app.Background;

namespace my_app.Tests.North;

/// <summary>One of two job classes with one name, as two teams' folders might hold: start-up refuses them.</summary>
public sealed class ImportOrders : IJob
{
    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
