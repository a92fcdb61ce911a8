using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace Acme.Shop.Background;

/// <summary>
/// What a browser gets at <c>/jobs/{id}/live</c> (and <c>?_t=&lt;id&gt;</c>): the output so far, rendered on the server, then growing live through
/// <c>/jobs/{id}/events</c>, with state, progress bar and Cancel. Its HTML, CSS and script are the files in
/// <c>Background/Web/Assets/</c>; the Content-Security-Policy lets only that CSS and script run, by their hashes.
/// </summary>
internal static partial class JobPage
{
    public static readonly string Style = Asset("jobs.css");

    private static readonly string s_html = Asset("job-page.html");
    private static readonly string s_script = Asset("job-page.js");

    // Only this page's own script and style may run: output that slipped past encoding still could not.
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; script-src '{Hash(s_script)}'; style-src '{Hash(Style)}'; connect-src 'self'; " +
        "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IResult Render(JobStatus job, JobLines lines, HttpContext httpContext)
    {
        var html = HtmlEncoder.Default;
        var pathBase = httpContext.Request.PathBase;

        // Resumes after the last line rendered here, so the stream repeats none of them.
        var events = pathBase + JobEndpoints.EventsPath(job.Id) + (lines.Next > 0 ? $"?lastEventId={lines.Next - 1}" : "");
        var output = new StringBuilder();
        if (lines.First > 0)
        {
            output.Append(CultureInfo.InvariantCulture, $"<span class=\"dropped\">[{lines.First} earlier lines dropped]\n</span>");
        }

        foreach (var line in lines.Lines)
        {
            output.Append("<span>").Append(html.Encode(line)).Append("\n</span>");
        }

        var page = Fill(s_html, new Dictionary<string, string>
        {
            ["style"] = Style,
            ["script"] = s_script,
            ["id"] = html.Encode(job.Id.ToString()),
            ["name"] = html.Encode(job.Name),
            ["state"] = html.Encode(job.State.ToString()),
            ["node"] = html.Encode(job.Node ?? ""),
            ["runAt"] = html.Encode(job.RunAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? ""),
            ["runAtHidden"] = job.State == JobState.Scheduled ? "" : " hidden",
            ["events"] = html.Encode(events),
            ["cancel"] = html.Encode(pathBase + JobEndpoints.CancelPath(job.Id)),
            ["finished"] = job.IsFinished ? "true" : "false",
            ["progress"] = (job.Progress ?? 0).ToString("0.####", CultureInfo.InvariantCulture),
            ["percent"] = job.Progress is { } progress ? $"{Math.Round(progress * 100).ToString(CultureInfo.InvariantCulture)} %" : "",
            ["progressHidden"] = job.Progress is null ? " hidden" : "",
            ["cancelHidden"] = job.IsFinished ? " hidden" : "",
            ["cancelDisabled"] = job.CancelRequested ? " disabled" : "",
            ["error"] = html.Encode(job.Error ?? ""),
            ["errorHidden"] = job.Error is null ? " hidden" : "",
            ["lines"] = output.ToString(),
            ["repeats"] = job.Repeats is { } repeated
                ? $"<p class=\"repeats\">Runs again <a href=\"{html.Encode(pathBase + JobEndpoints.LivePath(repeated))}\"><code>{html.Encode(repeated.ToString())}</code></a></p>\n"
                : "",
        });

        httpContext.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return Results.Content(page, "text/html; charset=utf-8");
    }

    /// <summary>Fills <c>{{name}}</c> placeholders in one pass: text put in is never read for placeholders again.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, match => values[match.Groups[1].Value]);

    public static string Asset(string name)
    {
        using var stream = typeof(JobPage).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Placeholder();
}
