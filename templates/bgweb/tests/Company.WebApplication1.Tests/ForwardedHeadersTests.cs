using System.Net;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Company.WebApplication1.Tests;

/// <summary>
/// Behind a reverse proxy: X-Forwarded-For and X-Forwarded-Proto believed from loopback proxies and from those in
/// ForwardedHeaders:KnownProxies and ForwardedHeaders:KnownNetworks, so the per-client limits and the owner cookie see
/// the client; from anyone else, ignored; a bad entry stops start-up naming it.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task From_a_loopback_proxy_each_forwarded_client_has_its_own_start_limit(string proxy)
    {
        using var app = App();
        var client = app.CreatePlainClient();

        var first = await StartAsync(client, proxy, forwardedFor: "203.0.113.7");
        var again = await StartAsync(client, proxy, forwardedFor: "203.0.113.7");
        var other = await StartAsync(client, proxy, forwardedFor: "198.51.100.20");

        Assert.Equal(
            (HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests, HttpStatusCode.SeeOther),
            (first.StatusCode, again.StatusCode, other.StatusCode));
    }

    [Fact]
    public async Task From_a_proxy_nobody_trusts_the_header_is_ignored_and_its_clients_share_its_limit()
    {
        using var app = App();
        var client = app.CreatePlainClient();

        var first = await StartAsync(client, "10.1.2.3", forwardedFor: "203.0.113.7");
        var other = await StartAsync(client, "10.1.2.3", forwardedFor: "198.51.100.20");

        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests), (first.StatusCode, other.StatusCode));
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.1.2.3")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.1.0.0/16")]
    [InlineData("ForwardedHeaders:KnownProxies", "10.1.2.3")]
    public async Task A_configured_proxy_is_believed(string setting, string value)
    {
        using var app = App((setting, value));
        var client = app.CreatePlainClient();

        var first = await StartAsync(client, "10.1.2.3", forwardedFor: "203.0.113.7");
        var other = await StartAsync(client, "10.1.2.3", forwardedFor: "198.51.100.20");

        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.SeeOther), (first.StatusCode, other.StatusCode));
    }

    [Fact]
    public async Task Behind_a_TLS_proxy_the_owner_cookie_is_Secure_with_the_Host_prefix()
    {
        using var app = App(("Backgrounder:RequireOwner", "true"));
        var client = app.CreatePlainClient();

        var plain = await StartAsync(client, "127.0.0.1", forwardedFor: "203.0.113.7");
        var behindTls = await StartAsync(client, "127.0.0.1", forwardedFor: "198.51.100.20", forwardedProto: "https");

        Assert.DoesNotContain("secure", Cookie(plain), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith(JobAccess.SecureCookieName + "=", Cookie(behindTls));
        Assert.Contains("secure", Cookie(behindTls), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.1.2")]
    [InlineData("ForwardedHeaders:KnownProxies:1", "proxy.example")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.1.0.0/33")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.1.0.0")]
    public void A_bad_entry_stops_start_up_naming_it(string setting, string value)
    {
        var error = StartupFailure.Of(() => App(("ForwardedHeaders:KnownProxies:0", "10.9.9.9"), (setting, value)));

        Assert.Contains(setting, error.Message);
        Assert.Contains(value, error.Message);
    }

    private static BackgrounderAppFactory App(params (string Key, string Value)[] settings) =>
        new([("Backgrounder:StartsPerMinutePerClient", "1"), .. settings])
        {
            ConfigureTestServices = services => services.AddSingleton<IStartupFilter, TestPeerStartupFilter>(),
        };

    private static Task<HttpResponseMessage> StartAsync(HttpClient client, string peer, string forwardedFor, string? forwardedProto = null)
    {
        var request = TestPeerStartupFilter.Get(TestEndpoints.StartJob, peer);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        return client.SendAsync(request);
    }

    private static string Cookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), cookie => cookie.Contains(JobAccess.CookieName));
}
