using Acme.Shop.Background;
using Acme.Shop.Jobs;

namespace Acme.Shop.Endpoints;

/// <summary>GET /example starts <see cref="ExampleJob"/> and redirects (303) to <c>/example?_t=&lt;id&gt;</c>.</summary>
public static class ExampleEndpoint
{
    public static IEndpointConventionBuilder MapExample(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/example", Handle).WithBackgrounder();

    public static async Task Handle(BackgroundJobs jobs)
    {
        Console.WriteLine("Example job started.");
        await jobs.StartAsync<ExampleJob>();
    }
}
