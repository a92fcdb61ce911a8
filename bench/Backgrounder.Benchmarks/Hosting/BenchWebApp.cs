using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Company.WebApplication1.Background;
using Company.WebApplication1.Jobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>
/// The template's app in this process: its appsettings.json, its <c>AddBackgrounder</c>/<c>AddJobs</c>, its rate limiter
/// and whatever endpoints the measure maps, on a free 127.0.0.1 port. Only loopback traffic ever reaches it.
/// </summary>
public static class BenchWebApp
{
    public static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, Action<WebApplication> mapEndpoints)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Keeps "Now listening on" out of the results; request logging is already off in the app's settings.
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddBackgrounder(builder.Configuration);
        // The template's source is its --store redis app; without ConnectionStrings:Redis it keeps jobs in memory,
        // which these measures are of, and outside Development that would stop start-up.
        builder.Services.RemoveAll<IValidateOptions<RedisStoreOptions>>();
        builder.Services.AddJobs(builder.Configuration);

        var app = builder.Build();

        // As the app's Program.cs: the per-client limits (starts, open event streams) are the framework's rate limiter.
        app.UseRateLimiter();
        mapEndpoints(app);
        await app.StartAsync();
        return app;
    }

    public static Uri BaseAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("The server reports no addresses.");
        return new Uri(addresses.Addresses.Single());
    }
}
