using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// Who may read, follow and cancel a job. By default anyone holding its id (128 random bits, unguessable).
/// With <c>Backgrounder:RequireOwner</c>, only the client that started it: a random owner token in a cookie,
/// compared in constant time; to anyone else the job does not exist (404).
/// </summary>
public sealed class JobAccess(IJobStore store, IOptions<BackgrounderOptions> options)
{
    public const string OwnerCookie = "backgrounder-owner";

    /// <summary>The job, or null when it is unknown, cleaned up, or not this client's.</summary>
    public Job? Find(JobId id, HttpContext httpContext)
    {
        var job = store.Find(id);
        return job is not null && IsOwner(job, httpContext) ? job : null;
    }

    /// <summary>Ties a job a request just started to that client, setting its owner cookie if it has none yet.</summary>
    public void BindToClient(Job job, HttpContext httpContext)
    {
        if (!options.Value.RequireOwner)
        {
            return;
        }

        if (!httpContext.Request.Cookies.TryGetValue(OwnerCookie, out var token) || string.IsNullOrEmpty(token))
        {
            token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            httpContext.Response.Cookies.Append(OwnerCookie, token, new CookieOptions
            {
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                Secure = httpContext.Request.IsHttps,
            });
        }

        job.BindOwner(token);
    }

    private bool IsOwner(Job job, HttpContext httpContext)
    {
        if (!options.Value.RequireOwner || job.OwnerToken is not { } owner)
        {
            return true;
        }

        var presented = httpContext.Request.Cookies[OwnerCookie] ?? string.Empty;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(owner));
    }
}
