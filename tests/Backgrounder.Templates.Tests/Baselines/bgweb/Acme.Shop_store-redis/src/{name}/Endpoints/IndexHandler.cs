using Acme.Shop.Background;
using Acme.Shop.Jobs;

namespace Acme.Shop.Endpoints;

/// <summary>
/// GET / — the seed's index: two lines, then <see cref="LongRunning"/> in the background.
/// <c>WithBackgrounder</c> turns that into 303 → <c>/?_t=&lt;id&gt;</c>, where refreshing shows the output so far.
/// </summary>
public static class IndexHandler
{
    public static IEndpointConventionBuilder MapIndex(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/", Handle).WithBackgrounder();

    public static async Task Handle(BackgroundJobs jobs, TimeProvider time)
    {
        // Printed before the job exists, yet shown first in its output, as in the seed.
        Console.WriteLine($"Started at {SeedTimestamp.Now(time)}");
        Console.WriteLine("hit f5 to refresh!");
        await jobs.StartAsync<LongRunning>();
    }
}
