using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Tests;

/// <summary>Signs each request in as the user named in its <see cref="UserHeader"/>: stands in for real authentication.</summary>
internal sealed class TestUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "TestUser";
    public const string UserHeader = "X-Test-User";

    public static void Add(IServiceCollection services) =>
        services.AddAuthentication(Name).AddScheme<AuthenticationSchemeOptions, TestUserHandler>(Name, null);

    /// <summary>A client of <paramref name="app"/> signed in as <paramref name="user"/>.</summary>
    public static HttpClient Client(BackgrounderAppFactory app, string user)
    {
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Add(UserHeader, user);
        return client;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(UserHeader, out var name))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, name.ToString())], Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
    }
}
