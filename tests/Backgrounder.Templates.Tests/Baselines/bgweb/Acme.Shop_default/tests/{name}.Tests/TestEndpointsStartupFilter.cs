using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;

namespace Acme.Shop.Tests;

/// <summary>
/// Maps a test's endpoints onto the app itself, so they go through the app's middleware (rate limiter, antiforgery,
/// authentication) exactly as the app's own endpoints do.
/// </summary>
internal sealed class TestEndpointsStartupFilter(Action<IEndpointRouteBuilder> map) : IStartupFilter
{
    // Where the app's UseRouting leaves its route builder (the WebApplication itself) once its pipeline is built.
    private const string AppRouteBuilderKey = "__EndpointRouteBuilder";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);

        // Endpoints are read at the first request, so endpoints added now are matched like the app's own.
        var endpoints = app.Properties.TryGetValue(AppRouteBuilderKey, out var builder) && builder is IEndpointRouteBuilder routes
            ? routes
            : throw new InvalidOperationException($"The app's endpoint route builder was not found under {AppRouteBuilderKey}; map test endpoints another way.");
        map(endpoints);
    };
}
