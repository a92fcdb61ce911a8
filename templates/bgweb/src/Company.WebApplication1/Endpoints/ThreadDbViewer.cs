using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Company.WebApplication1.Endpoints;

/// <summary>
/// GET /threaddb — every job the app remembers, as an HTML table linking each job to its live page, or, for
/// <c>Accept: application/json</c>, JSON.
/// The seed had no such view of its threaddb. Mapped only when <c>Backgrounder:Viewer:Enabled</c> is true
/// (appsettings.Development.json), because job output may be private.
/// </summary>
public static class ThreadDbViewer
{
    public const string EnabledSetting = "Backgrounder:Viewer:Enabled";
    public const string PolicySetting = "Backgrounder:Viewer:Policy";

    /// <summary>
    /// Maps the viewer when enabled. Outside Development it must go through the authorization policy named by
    /// <c>Backgrounder:Viewer:Policy</c>, e.g. with <c>builder.Services.AddAuthorization(o =&gt; o.AddPolicy("JobViewers",
    /// p =&gt; p.RequireRole("admin")))</c> after your authentication; the app will not start without one.
    /// </summary>
    public static void MapThreadDbViewer(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(EnabledSetting))
        {
            return;
        }

        var viewer = app.MapGet("/threaddb", Handle);
        var policy = app.Configuration[PolicySetting];
        if (!string.IsNullOrWhiteSpace(policy))
        {
            // Checked now: an unknown policy would otherwise surface as a 500 on the first request.
            if (app.Services.GetRequiredService<IOptions<AuthorizationOptions>>().Value.GetPolicy(policy) is null)
            {
                throw new InvalidOperationException(
                    $"{PolicySetting} names the authorization policy '{policy}', but no such policy is registered (AddAuthorization(o => o.AddPolicy(...))).");
            }

            viewer.RequireAuthorization(policy);
        }
        else if (!app.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{EnabledSetting} is true in {app.Environment.EnvironmentName}, where job output must not be public: set {PolicySetting} to an authorization policy.");
        }
    }

    public static async Task<IResult> Handle(HttpRequest request, HttpResponse response, IJobStore store)
    {
        var jobs = new List<JobSummary>();
        foreach (var status in await store.ListAsync(cancellationToken: request.HttpContext.RequestAborted))
        {
            jobs.Add(await JobSummary.OfAsync(status, store, request.HttpContext.RequestAborted));
        }

        if (WantsJson(request))
        {
            return Results.Json(jobs);
        }

        // The table shows job output (last lines, errors); no script of any kind may run on this page.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
        return Results.Content(RenderHtml(jobs), "text/html; charset=utf-8");
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    private static string RenderHtml(IReadOnlyList<JobSummary> jobs)
    {
        var html = HtmlEncoder.Default;
        var rows = new StringBuilder();
        foreach (var job in jobs)
        {
            var id = html.Encode(job.Id);
            var progress = job.Progress is { } fraction
                ? $"""<progress max="1" value="{fraction.ToString("0.####", CultureInfo.InvariantCulture)}"></progress> {Math.Round(fraction * 100).ToString(CultureInfo.InvariantCulture)} %"""
                : "";
            rows.Append($"""
                <tr><td><a href="/?_t={id}">{id}</a></td><td>{html.Encode(job.State.ToString())}</td><td>{progress}</td><td>{html.Encode(job.StartedAt?.ToString("u") ?? "")}</td><td>{html.Encode(job.FinishedAt?.ToString("u") ?? "")}</td><td>{job.LineCount}</td><td><code>{html.Encode(job.LastLine ?? "")}</code></td></tr>

                """);
        }

        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>threaddb</title></head>
            <body>
            <h1>threaddb: {jobs.Count} jobs</h1>
            <table>
            <thead><tr><th>Id (live page)</th><th>State</th><th>Progress</th><th>Started</th><th>Finished</th><th>Lines</th><th>Last line</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            </body>
            </html>
            """;
    }
}
