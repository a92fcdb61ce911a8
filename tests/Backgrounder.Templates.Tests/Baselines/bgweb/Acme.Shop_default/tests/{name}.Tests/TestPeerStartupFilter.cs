using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Acme.Shop.Tests;

/// <summary>
/// The in-memory test server has no remote address; this gives a request the one in its <c>X-Test-Peer</c> header, as
/// the connection a proxy (or a client) would open, before any of the app's middleware sees it.
/// </summary>
internal sealed class TestPeerStartupFilter : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    /// <summary>A GET of <paramref name="path"/> as if it came over a connection from <paramref name="peer"/>.</summary>
    public static HttpRequestMessage Get(string path, string peer) =>
        new(HttpMethod.Get, path) { Headers = { { Header, peer } } };

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers[Header] is [{ } peer])
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
