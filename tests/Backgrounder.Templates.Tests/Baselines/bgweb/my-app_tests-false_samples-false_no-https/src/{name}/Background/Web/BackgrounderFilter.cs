using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace my_app.Background;

/// <summary>
/// The <c>?_t=</c> protocol as an endpoint filter (<c>.WithBackgrounder()</c>). Without <c>_t</c> the handler
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
        catch (JobArgumentsException refused)
        {
            // The request asked for a job whose arguments cannot be recorded: nothing started, say why.
            return PlainText(StatusCodes.Status400BadRequest, refused.Message);
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
