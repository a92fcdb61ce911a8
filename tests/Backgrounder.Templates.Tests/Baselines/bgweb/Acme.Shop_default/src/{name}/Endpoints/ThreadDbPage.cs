using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Acme.Shop.Background;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Extensions;

namespace Acme.Shop.Endpoints;

/// <summary>
/// The threaddb page, in the live page's look: its HTML and script are <c>Endpoints/Assets/threaddb.*</c>, its style
/// the live page's <c>jobs.css</c> followed by <c>threaddb.css</c>. Every value from a job is HTML-encoded here, and
/// the Content-Security-Policy lets only that script and style run, by the hashes of the very text inlined.
/// </summary>
internal static class ThreadDbPage
{
    private static readonly string s_html = JobPage.Asset("threaddb.html");
    private static readonly string s_style = JobPage.Style + JobPage.Asset("threaddb.css");
    private static readonly string s_script = JobPage.Asset("threaddb.js");

    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; script-src '{JobPage.Hash(s_script)}'; style-src '{JobPage.Hash(s_style)}'; connect-src 'self'; " +
        "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IResult Render(
        ThreadDbQuery query,
        IReadOnlyDictionary<JobState, int> counts,
        IReadOnlyList<JobSummary> rows,
        AntiforgeryTokenSet tokens,
        HttpContext httpContext)
    {
        var pathBase = httpContext.Request.PathBase;
        var shown = query.State is { } state ? counts.GetValueOrDefault(state) : counts.Values.Sum();
        var page = JobPage.Fill(s_html, new Dictionary<string, string>
        {
            ["title"] = Encode($"threaddb: {Jobs(shown, query.State)}{(query.Name is { } name ? $" named {name}" : "")}"),
            ["style"] = s_style,
            ["script"] = s_script,
            ["counts"] = Counts(query, counts, pathBase),
            ["rows"] = Rows(query, rows, tokens, pathBase),
            ["pages"] = Pages(query, shown, pathBase),
        });

        var headers = httpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Content(page, "text/html; charset=utf-8");
    }

    /// <summary>All, then each state with its count (of the jobs of the name filter, if any): each a link to that filter.</summary>
    private static string Counts(ThreadDbQuery query, IReadOnlyDictionary<JobState, int> counts, PathString pathBase)
    {
        var html = new StringBuilder();
        if (query.Name is { } filtered)
        {
            html.Append($"""<span class="name-filter">Named <code>{Encode(filtered)}</code> <a href="{Link(pathBase, query with { Name = null, Page = null })}">(all names)</a></span>""" + "\n");
        }

        html.Append(Filter(query.State is null, "", "All", counts.Values.Sum(), Link(pathBase, new ThreadDbQuery(null, query.Name, null))));
        foreach (var state in Enum.GetValues<JobState>())
        {
            var name = Encode(state.ToString());
            html.Append(Filter(query.State == state, $" class=\"state\" data-state=\"{name}\"", name, counts.GetValueOrDefault(state),
                Link(pathBase, new ThreadDbQuery(state, query.Name, null))));
        }

        return html.ToString();
    }

    private static string Filter(bool current, string attributes, string name, int count, string href) =>
        $"""<a href="{href}"{attributes}{(current ? " aria-current=\"page\"" : "")}>{name} <b>{count}</b></a>""" + "\n";

    private static string Rows(ThreadDbQuery query, IReadOnlyList<JobSummary> rows, AntiforgeryTokenSet tokens, PathString pathBase)
    {
        if (rows.Count == 0)
        {
            return $"""<tr><td class="empty" colspan="11">No {(query.State is { } state ? Encode(state.ToString()) + " " : "")}jobs{(query.PageOrFirst > 1 ? " on this page" : "")}.</td></tr>""" + "\n";
        }

        var html = new StringBuilder();
        foreach (var job in rows)
        {
            var id = Encode(job.Id);
            var state = Encode(job.State.ToString());
            var progress = job.Progress is { } fraction
                ? $"""<progress max="1" value="{fraction.ToString("0.####", CultureInfo.InvariantCulture)}"></progress> {Math.Round(fraction * 100).ToString(CultureInfo.InvariantCulture)} %"""
                : "";
            var last = Encode(job.LastLine ?? "");
            html.Append($"""
                <tr>
                <td><a href="{Encode(pathBase + "/jobs/" + job.Id + "/live")}">{id}</a></td>
                <td><a class="name" href="{Link(pathBase, new ThreadDbQuery(query.State, job.Name, null))}">{Encode(job.Name)}</a></td>
                <td><span class="state" data-state="{state}">{state}</span>{(job.RunAt is { } runAt ? $" <span class=\"runat\">at {Time(runAt)}</span>" : "")}</td>
                <td>{progress}</td>
                <td class="node">{Encode(job.Node ?? "")}</td>
                <td>{Time(job.CreatedAt)}</td>
                <td>{Time(job.StartedAt)}</td>
                <td>{Time(job.FinishedAt)}</td>
                <td class="number">{job.LineCount}</td>
                <td class="last"><code title="{last}">{last}</code></td>
                <td>{Cancel(query, job, tokens, pathBase)}{RunAgain(job, tokens, pathBase)}</td>
                </tr>

                """);
        }

        return html.ToString();
    }

    /// <summary>A plain form, so Cancel works without JavaScript; it returns to this filter and page.</summary>
    private static string Cancel(ThreadDbQuery query, JobSummary job, AntiforgeryTokenSet tokens, PathString pathBase)
    {
        if (job.State is not (JobState.Scheduled or JobState.Queued or JobState.Running))
        {
            return "";
        }

        if (job.CancelRequested)
        {
            return """<span class="canceling">Canceling…</span>""";
        }

        var action = UriHelper.BuildRelative(pathBase, $"{ThreadDbViewer.Path}/jobs/{job.Id}/cancel", query.ToQueryString());
        return $"""<form method="post" action="{Encode(action)}"><input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}"><button type="submit">Cancel</button></form>""";
    }

    /// <summary>A plain form too; it leads to the new job's live page.</summary>
    private static string RunAgain(JobSummary job, AntiforgeryTokenSet tokens, PathString pathBase)
    {
        if (!job.CanRunAgain)
        {
            return "";
        }

        var action = pathBase + $"{ThreadDbViewer.Path}/jobs/{job.Id}/run-again";
        return $"""<form method="post" action="{Encode(action)}"><input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}"><button type="submit">Run again</button></form>""";
    }

    /// <summary>Newer and older pages of the same filter, once there is more than one.</summary>
    private static string Pages(ThreadDbQuery query, int shown, PathString pathBase)
    {
        var pages = Math.Max(1, (shown + ThreadDbViewer.PageSize - 1) / ThreadDbViewer.PageSize);
        var page = query.PageOrFirst;
        if (pages == 1 && page == 1)
        {
            return "";
        }

        var newer = page > 1
            ? $"""<a href="{Link(pathBase, query.WithPage(Math.Min(page - 1, pages)))}" rel="prev">← Newer</a>"""
            : "";
        var older = page < pages
            ? $"""<a href="{Link(pathBase, query.WithPage(page + 1))}" rel="next">Older →</a>"""
            : "";
        // Past the last page (the jobs were cleaned up meanwhile) only the way back is shown.
        var position = page <= pages ? $"<span>Page {page} of {pages}</span>" : "";
        return $"{newer} {position} {older}";
    }

    private static string Link(PathString pathBase, ThreadDbQuery query) =>
        Encode(UriHelper.BuildRelative(pathBase, ThreadDbViewer.Path, query.ToQueryString()));

    private static string Jobs(int count, JobState? state) =>
        $"{count} {(state is { } s ? s + " " : "")}{(count == 1 ? "job" : "jobs")}";

    /// <summary>The time of day (UTC) keeps the table narrow; the date and time are in its tooltip.</summary>
    private static string Time(DateTimeOffset? time) =>
        time is { } value
            ? string.Create(CultureInfo.InvariantCulture,
                $"""<time datetime="{value.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}" title="{value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC">{value.UtcDateTime:HH:mm:ss}</time>""")
            : "";

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
