using Acme.Shop.Background;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Endpoints;

/// <summary>
/// GET /threaddb — the jobs the app remembers, newest first: counts per state, a filter by state and by name, pages
/// of <see cref="PageSize"/>, each job linking to its live page, Cancel for queued and running ones
/// (<c>POST /threaddb/jobs/{id}/cancel</c>) and Run again for finished jobs of a registered class
/// (<c>POST /threaddb/jobs/{id}/run-again</c>), both plain forms. For <c>Accept: application/json</c>, the rows as
/// JSON. Mapped only when <c>Backgrounder:Viewer:Enabled</c> is true (appsettings.Development.json), because job
/// output may be private.
/// </summary>
public static class ThreadDbViewer
{
    public const string EnabledSetting = "Backgrounder:Viewer:Enabled";
    public const string PolicySetting = "Backgrounder:Viewer:Policy";
    public const string Path = "/threaddb";
    public const int PageSize = 50;

    /// <summary>
    /// Maps the viewer when enabled. Outside Development it must go through the authorization policy named by
    /// <c>Backgrounder:Viewer:Policy</c>, e.g. with <c>builder.Services.AddAuthorization(o =&gt; o.AddPolicy("JobViewers",
    /// p =&gt; p.RequireRole("admin")))</c> after your authentication; the app will not start without one. Whoever passes
    /// that policy may also open every job's own page, events and JSON, and cancel it.
    /// </summary>
    public static void MapThreadDbViewer(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(EnabledSetting))
        {
            return;
        }

        var viewer = app.MapGroup(Path);
        viewer.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (JobsUnavailableException unavailable)
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return PlainText(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
            }
        });
        viewer.MapGet("", ShowAsync);
        viewer.MapPost("/jobs/{id}/cancel", CancelAsync);
        viewer.MapPost("/jobs/{id}/run-again", RunAgainAsync);

        // An unknown policy stops start-up (ViewerPolicyValidation).
        var policy = app.Configuration[PolicySetting];
        if (!string.IsNullOrWhiteSpace(policy))
        {
            // The page and its forms alike: whoever may not see the jobs may not cancel or start them either.
            viewer.RequireAuthorization(policy);
        }
        else if (!app.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{EnabledSetting} is true in {app.Environment.EnvironmentName}, where job output must not be public: set {PolicySetting} to an authorization policy.");
        }
    }

    /// <summary><c>?state=Running&amp;name=ImportOrders&amp;page=2</c>: the page, or for JSON the rows (every job, unless <c>page</c> is given).</summary>
    public static async Task<IResult> ShowAsync(string? state, string? name, string? page, HttpContext httpContext, IJobStore store, BackgroundJobs jobs, IAntiforgery antiforgery)
    {
        var headers = httpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Vary = "Accept";
        if (!ThreadDbQuery.TryParse(state, name, page, out var query, out var error))
        {
            return PlainText(StatusCodes.Status400BadRequest, error);
        }

        var cancellationToken = httpContext.RequestAborted;
        if (WantsJson(httpContext.Request))
        {
            // Without ?page= every job, as this JSON has always been; with it, one page.
            var (skip, take) = query.Page is null ? (0, int.MaxValue) : (query.Skip, PageSize);
            return Results.Json(await RowsAsync(store, jobs, query, skip, take, cancellationToken));
        }

        // The counts follow the name filter, so each state's link shows how many of those jobs it holds.
        var counts = await store.CountAsync(query.Name, cancellationToken);
        var rows = await RowsAsync(store, jobs, query, query.Skip, PageSize, cancellationToken);
        return ThreadDbPage.Render(query, counts, rows, antiforgery.GetAndStoreTokens(httpContext), httpContext);
    }

    /// <summary>
    /// The Cancel button's form: records the cancel (a queued job ends Canceled at once, a running one sees its token
    /// fire), then 303 back to the page it came from, so it works without JavaScript.
    /// </summary>
    public static async Task<IResult> CancelAsync(string id, string? state, string? name, string? page, HttpContext httpContext, IJobStore store, IAntiforgery antiforgery)
    {
        httpContext.Response.Headers.CacheControl = "no-store";

        // Checked here, after authentication has run, whatever the app's middleware order: another site cannot
        // post this form with the viewer's credentials, since it cannot read the token this page holds.
        if (!await antiforgery.IsRequestValidAsync(httpContext))
        {
            return PlainText(StatusCodes.Status400BadRequest,
                "This Cancel did not come from the threaddb page, or the page is too old: reload it and try again.");
        }

        if (!ThreadDbQuery.TryParse(state, name, page, out var query, out var error))
        {
            return PlainText(StatusCodes.Status400BadRequest, error);
        }

        if (!JobId.TryParse(id, out var jobId))
        {
            return PlainText(StatusCodes.Status400BadRequest, $"A job id is {JobId.TextLength} URL-safe characters, as shown on the threaddb page.");
        }

        var cancellationToken = httpContext.RequestAborted;
        if (!await store.RequestCancelAsync(jobId, cancellationToken))
        {
            return await store.GetAsync(jobId, cancellationToken) is { } job
                ? PlainText(StatusCodes.Status409Conflict, $"Job {jobId} had already finished ({job.State}): there was nothing to cancel.")
                : PlainText(StatusCodes.Status404NotFound, $"No job {jobId}. It may have finished and been cleaned up.");
        }

        httpContext.Response.Headers.Location = UriHelper.BuildRelative(httpContext.Request.PathBase, Path, query.ToQueryString());
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// The Run again button's form: starts a new job of the same registered class with the same arguments, owned by
    /// nobody and marked as repeating this one, then 303 to its live page. 409 for a job that cannot be run again.
    /// </summary>
    public static async Task<IResult> RunAgainAsync(string id, HttpContext httpContext, IJobStore store, BackgroundJobs jobs, IAntiforgery antiforgery)
    {
        httpContext.Response.Headers.CacheControl = "no-store";

        // Checked here, after authentication has run, whatever the app's middleware order: another site cannot
        // post this form with the viewer's credentials, since it cannot read the token this page holds.
        if (!await antiforgery.IsRequestValidAsync(httpContext))
        {
            return PlainText(StatusCodes.Status400BadRequest,
                "This Run again did not come from the threaddb page, or the page is too old: reload it and try again.");
        }

        if (!JobId.TryParse(id, out var jobId))
        {
            return PlainText(StatusCodes.Status400BadRequest, $"A job id is {JobId.TextLength} URL-safe characters, as shown on the threaddb page.");
        }

        if (await store.GetAsync(jobId, httpContext.RequestAborted) is not { } job)
        {
            return PlainText(StatusCodes.Status404NotFound, $"No job {jobId}. It may have finished and been cleaned up.");
        }

        JobId started;
        try
        {
            if (jobs.TryStartAgainAsync(job, httpContext.RequestAborted) is not { } starting)
            {
                return PlainText(StatusCodes.Status409Conflict, WhyNotAgain(job));
            }

            started = await starting;
        }
        catch (ArgumentException unfit)
        {
            return PlainText(StatusCodes.Status409Conflict, $"Job {jobId} cannot be run again: {unfit.Message}");
        }

        httpContext.Response.Headers.Location = httpContext.Request.PathBase + JobEndpoints.LivePath(started);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static string WhyNotAgain(JobStatus job) =>
        !job.IsFinished ? $"Job {job.Id} has not finished ({job.State}): it can be run again once it has."
        : job.Kind != JobKind.Typed ? $"Job {job.Id} ran a delegate, which is not kept: only a job class registered with AddJob<T>() can be run again."
        : $"No job class is registered under the name '{job.Name}' (AddJob<T>()), so job {job.Id} cannot be run again.";

    private static async Task<List<JobSummary>> RowsAsync(IJobStore store, BackgroundJobs jobs, ThreadDbQuery query, int skip, int take, CancellationToken cancellationToken)
    {
        var rows = new List<JobSummary>();
        foreach (var status in await store.ListAsync(query.State, query.Name, skip, take, cancellationToken))
        {
            rows.Add(await JobSummary.OfAsync(status, store, jobs, cancellationToken));
        }

        return rows;
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    private static IResult PlainText(int statusCode, string text) =>
        Results.Text(text + "\n", "text/plain; charset=utf-8", statusCode: statusCode);
}
