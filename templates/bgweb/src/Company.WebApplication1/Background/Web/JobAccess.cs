using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// Who may read, follow and cancel a job. A job a signed-in user started is that user's alone. With
/// <c>Backgrounder:RequireOwner</c>, a job an anonymous client started is that client's alone: the owner cookie
/// holds a token the server minted and signed (Data Protection), so a planted or guessed value is never adopted.
/// Anyone else is told the job does not exist (404). Otherwise anyone holding the job's unguessable id may. Whoever
/// passes <c>Backgrounder:Viewer:Policy</c>, when one is set, may see every job, owned or not.
/// </summary>
internal sealed class JobAccess(IDataProtectionProvider dataProtection, IJobStore store, IHostEnvironment environment, IOptions<BackgrounderOptions> options)
{
    public const string CookieName = "backgrounder-owner";

    // Outside Development the cookie is always Secure, and then it takes the __Host- prefix: bound to this host and path /.
    public const string SecureCookieName = "__Host-" + CookieName;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Backgrounder.OwnerCookie");

    /// <summary>The job, or null when it is unknown, removed, or neither this client's nor a viewer's to see.</summary>
    public async Task<JobStatus?> FindAsync(JobId id, HttpContext httpContext)
    {
        var job = await store.GetAsync(id, httpContext.RequestAborted);
        return job is not null && (MaySee(job, httpContext) || await IsViewerAsync(httpContext)) ? job : null;
    }

    /// <summary>Whether the request passes <c>Backgrounder:Viewer:Policy</c>; never without one.</summary>
    public async Task<bool> IsViewerAsync(HttpContext httpContext)
    {
        if (options.Value.Viewer.Policy is not { } policy || string.IsNullOrWhiteSpace(policy))
        {
            return false;
        }

        var authorization = httpContext.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(httpContext.User, policy)).Succeeded;
    }

    /// <summary>The owner a job started by this request belongs to; mints the client's owner cookie when it needs one.</summary>
    public string? OwnerOfNewJob(HttpContext httpContext)
    {
        if (UserOwner(httpContext) is { } user)
        {
            return user;
        }

        if (!options.Value.RequireOwner)
        {
            return null;
        }

        return ClientOwner(httpContext) ?? MintClientOwner(httpContext);
    }

    /// <summary>A key per client for the per-client limits: the signed-in user, else the remote address.</summary>
    public static string ClientKey(HttpContext httpContext) =>
        UserOwner(httpContext) ?? httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private bool MaySee(JobStatus job, HttpContext httpContext)
    {
        if (job.Owner is not { } owner)
        {
            // Fail closed: with RequireOwner, a job that has no owner is nobody's.
            return !options.Value.RequireOwner;
        }

        return Matches(owner, UserOwner(httpContext)) || Matches(owner, ClientOwner(httpContext));
    }

    private static bool Matches(string owner, string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(owner), Encoding.UTF8.GetBytes(presented));

    private static string? UserOwner(HttpContext httpContext)
    {
        var user = httpContext.User;
        var name = user.Identity?.IsAuthenticated == true
            ? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name
            : null;
        return name is null ? null : Hash("user", name);
    }

    private string? ClientOwner(HttpContext httpContext)
    {
        if (httpContext.Items[typeof(JobAccess)] is string minted)
        {
            return minted;
        }

        if (!httpContext.Request.Cookies.TryGetValue(CookieNameFor(httpContext), out var cookie) || string.IsNullOrEmpty(cookie))
        {
            return null;
        }

        try
        {
            return Hash("client", _protector.Unprotect(cookie));
        }
        catch (CryptographicException)
        {
            // Not a cookie this app minted (planted, forged or from old keys): never adopted; a start replaces it.
            return null;
        }
        catch (Exception unreadable) when (unreadable is not JobsUnavailableException)
        {
            // The key ring could not be read (it lives in Redis with --store redis): 503, never 500.
            throw new JobsUnavailableException("The owner cookie cannot be checked now; try again shortly.", unreadable);
        }
    }

    private string MintClientOwner(HttpContext httpContext)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        if (httpContext.Response.HasStarted)
        {
            // Too late for a cookie: the job is bound to a client nobody is, so it fails closed (only a viewer sees it).
            return Hash("client", token);
        }

        var secure = IsSecure(httpContext);
        string protectedToken;
        try
        {
            protectedToken = _protector.Protect(token);
        }
        catch (Exception unwritable) when (unwritable is not JobsUnavailableException)
        {
            throw new JobsUnavailableException("The owner cookie cannot be made now; try again shortly.", unwritable);
        }

        httpContext.Response.Cookies.Append(CookieNameFor(httpContext), protectedToken, new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = secure,
            Path = "/",
        });

        // A second job started by the same request belongs to the same client.
        var owner = Hash("client", token);
        httpContext.Items[typeof(JobAccess)] = owner;
        return owner;
    }

    private bool IsSecure(HttpContext httpContext) => httpContext.Request.IsHttps || !environment.IsDevelopment();

    private string CookieNameFor(HttpContext httpContext) => IsSecure(httpContext) ? SecureCookieName : CookieName;

    // Stored hashed: the store and its dumps never hold a token that would let someone read the job.
    private static string Hash(string kind, string value) =>
        $"{kind}:{Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))}";
}
