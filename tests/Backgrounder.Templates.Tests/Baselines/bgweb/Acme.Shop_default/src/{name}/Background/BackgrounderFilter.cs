using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Acme.Shop.Background;

/// <summary>
/// web.py's <c>@backgrounder</c> as an endpoint filter (<c>.WithBackgrounder()</c>). Without <c>_t</c> the handler
/// runs, and the job it starts is answered with 303 to the same URL plus <c>_t=&lt;id&gt;</c>. With <c>_t</c> the handler
/// does not run: the job's output so far is the answer, as text with <c>Refresh: 1</c> while the job runs, or, to a
/// browser, as the live page, where the output grows without reloading.
/// </summary>
internal sealed class BackgrounderFilter(IJobStore store, JobAccess access, TimeProvider time, IOptions<BackgrounderOptions> options) : IEndpointFilter
{
    public const string JobIdParameter = "_t";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        try
        {
            return httpContext.Request.Query.TryGetValue(JobIdParameter, out var jobIds)
                ? await ShowAsync(jobIds, httpContext)
                : await StartAsync(context, next);
        }
        catch (JobsUnavailableException unavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return PlainText(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
        }
    }

    private async Task<object?> StartAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        var request = httpContext.Request;

        // Starting is a GET, so a link prefetcher would start a job nobody asked for.
        if (request.Headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
            || request.Headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase))
        {
            return PlainText(StatusCodes.Status403Forbidden, "A prefetch starts no job; follow the link to start one.");
        }

        // "//host/…" (or "/\host/…") as a Location would send the browser to another site.
        var path = (request.PathBase + request.Path).Value ?? "/";
        if (path.StartsWith("//", StringComparison.Ordinal) || path.StartsWith("/\\", StringComparison.Ordinal))
        {
            return PlainText(StatusCodes.Status400BadRequest, "The path must not start with two slashes.");
        }

        // What the handler prints before it starts its job opens that job's output.
        var output = new JobOutput(store, options.Value, time);
        object? handlerResult;
        try
        {
            using (OutputCapture.ForHandler(output, access.OwnerOfNewJob(httpContext)))
            {
                handlerResult = await next(context);
            }
        }
        finally
        {
            if (output.Job is null)
            {
                // It started no job, or its start was refused: what it printed goes to stdout rather than nowhere.
                await output.CloseAsync();
            }
        }

        if (output.Job is not { } id)
        {
            return handlerResult;
        }

        var query = request.QueryString.Add(JobIdParameter, id.ToString());
        httpContext.Response.Headers.Location = UriHelper.BuildRelative(request.PathBase, request.Path, query);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private async Task<IResult> ShowAsync(StringValues jobIds, HttpContext httpContext)
    {
        // The same URL answers curl with text and a browser with the page: caches must keep them apart, and keep neither.
        var headers = httpContext.Response.Headers;
        headers.Vary = "Accept";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";

        if (jobIds.Count != 1 || !JobId.TryParse(jobIds[0], out var id))
        {
            return PlainText(StatusCodes.Status400BadRequest,
                $"'{JobIdParameter}' must be one job id of {JobId.TextLength} URL-safe characters, as given in the redirect.");
        }

        if (await access.FindAsync(id, httpContext) is not { } job)
        {
            return PlainText(StatusCodes.Status404NotFound,
                $"No job {id}. It may have finished and been cleaned up, or it never existed.");
        }

        // Read after the status: a job seen finished has all its lines here.
        var lines = await store.ReadLinesAsync(id, 0, httpContext.RequestAborted);
        if (!job.IsFinished)
        {
            headers["Refresh"] = "1";
        }

        return WantsHtml(httpContext.Request) ? JobPage.Render(job, lines, httpContext) : PlainText(StatusCodes.Status200OK, OutputText(lines));
    }

    private static string OutputText(JobLines lines)
    {
        var text = new StringBuilder();
        if (lines.First > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{lines.First} earlier lines dropped]\n");
        }

        foreach (var line in lines.Lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Browsers name text/html; curl's <c>*/*</c> and clients that send no Accept keep the text.</summary>
    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(type =>
            type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && type.Quality is not 0);

    private static IResult PlainText(int statusCode, string text) =>
        Results.Text(text.EndsWith('\n') ? text : text + "\n", "text/plain; charset=utf-8", statusCode: statusCode);
}

/// <summary>
/// What a browser gets at <c>?_t=&lt;id&gt;</c>: the output so far, rendered on the server, then growing live through
/// <c>/jobs/{id}/events</c>, with state, progress bar and Cancel. Its HTML, CSS and script are the files in
/// <c>Background/Assets/</c>; the Content-Security-Policy lets only that CSS and script run, by their hashes.
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
            ["state"] = html.Encode(job.State.ToString()),
            ["node"] = html.Encode(job.Node ?? ""),
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
