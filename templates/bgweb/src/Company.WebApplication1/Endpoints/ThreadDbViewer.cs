using System.Text;
using System.Text.Encodings.Web;
using Company.WebApplication1.Background;
using Microsoft.Net.Http.Headers;

namespace Company.WebApplication1.Endpoints;

/// <summary>
/// GET /threaddb — every job the app remembers, as an HTML table or, for <c>Accept: application/json</c>, JSON.
/// The seed had no such view of its threaddb. Mapped only when <c>Backgrounder:Viewer:Enabled</c> is true
/// (appsettings.Development.json), because job output may be private.
/// </summary>
public static class ThreadDbViewer
{
    public const string EnabledSetting = "Backgrounder:Viewer:Enabled";

    public static void MapThreadDbViewer(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>(EnabledSetting))
        {
            app.MapGet("/threaddb", Handle);
        }
    }

    public static IResult Handle(HttpRequest request, IJobStore store)
    {
        var jobs = store.List()
            .Select(JobSummary.Of)
            .OrderByDescending(job => job.CreatedAt)
            .ToList();

        return WantsJson(request)
            ? Results.Json(jobs)
            : Results.Content(RenderHtml(jobs), "text/html; charset=utf-8");
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
            rows.Append($"""
                <tr><td><a href="/?_t={html.Encode(job.Id)}">{html.Encode(job.Id)}</a></td><td>{html.Encode(job.State.ToString())}</td><td>{html.Encode(job.StartedAt?.ToString("u") ?? "")}</td><td>{html.Encode(job.FinishedAt?.ToString("u") ?? "")}</td><td>{job.LineCount}</td></tr>

                """);
        }

        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>threaddb</title></head>
            <body>
            <h1>threaddb: {jobs.Count} jobs</h1>
            <table>
            <thead><tr><th>Id</th><th>State</th><th>Started</th><th>Finished</th><th>Lines</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            </body>
            </html>
            """;
    }
}
