using System.Globalization;
using System.Text;

namespace Acme.Shop.Background;

/// <summary>
/// A job's output so far, as <c>GET /jobs/{id}/live</c> and <c>?_t=&lt;id&gt;</c> answer it: the live page for a
/// browser, the seed's text (with <c>Refresh: 1</c> while the job runs) for anything else.
/// </summary>
internal static class JobLiveView
{
    /// <summary>The same URL answers curl with text and a browser with the page: caches must keep them apart, and keep neither.</summary>
    public static void SetHeaders(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        headers.Vary = "Accept";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
    }

    public static async Task<IResult> ShowAsync(JobId id, HttpContext httpContext, IJobStore store, JobAccess access)
    {
        if (await access.FindAsync(id, httpContext) is not { } job)
        {
            return PlainText(StatusCodes.Status404NotFound, $"No job {id}. It may have finished and been cleaned up, or it never existed.");
        }

        // Read after the status: a job seen finished has all its lines here.
        var lines = await store.ReadLinesAsync(id, 0, httpContext.RequestAborted);
        if (!job.IsFinished)
        {
            httpContext.Response.Headers["Refresh"] = "1";
        }

        return WantsHtml(httpContext.Request) ? JobPage.Render(job, lines, httpContext) : PlainText(StatusCodes.Status200OK, OutputText(lines));
    }

    public static IResult PlainText(int statusCode, string text) =>
        Results.Text(text.EndsWith('\n') ? text : text + "\n", "text/plain; charset=utf-8", statusCode: statusCode);

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
}
