using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Acme.Shop.Background;

/// <summary>
/// The <c>?_t=</c> protocol as an endpoint filter (<c>.WithBackgrounder()</c>). On a GET without <c>_t</c> the handler
/// runs, and the job it starts is answered with 303 to the same URL plus <c>_t=&lt;id&gt;</c>. With <c>_t</c> the handler
/// does not run: the job's output so far is the answer (<see cref="JobLiveView"/>). On a POST (a form) the handler runs
/// only with a valid antiforgery token, and the job it starts is answered with 303 to <c>/jobs/{id}/live</c>.
/// </summary>
internal sealed class BackgrounderFilter(IJobStore store, JobAccess access, IAntiforgery antiforgery, TimeProvider time, IOptions<BackgrounderOptions> options) : IEndpointFilter
{
    public const string JobIdParameter = "_t";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        var request = httpContext.Request;
        try
        {
            if (!HttpMethods.IsGet(request.Method))
            {
                return await StartFromFormAsync(context, next);
            }

            return request.Query.TryGetValue(JobIdParameter, out var jobIds)
                ? await ShowAsync(jobIds, httpContext)
                : await StartFromLinkAsync(context, next);
        }
        catch (JobsUnavailableException unavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return JobLiveView.PlainText(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
        }
        catch (JobArgumentsException refused)
        {
            // The request asked for a job whose arguments cannot be recorded: nothing started, say why.
            return JobLiveView.PlainText(StatusCodes.Status400BadRequest, refused.Message);
        }
    }

    private async Task<object?> StartFromLinkAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;

        // Starting is a GET, so a link prefetcher would start a job nobody asked for.
        if (request.Headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
            || request.Headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase))
        {
            return JobLiveView.PlainText(StatusCodes.Status403Forbidden, "A prefetch starts no job; follow the link to start one.");
        }

        // "//host/…" (or "/\host/…") as a Location would send the browser to another site.
        var path = (request.PathBase + request.Path).Value ?? "/";
        if (path.StartsWith("//", StringComparison.Ordinal) || path.StartsWith("/\\", StringComparison.Ordinal))
        {
            return JobLiveView.PlainText(StatusCodes.Status400BadRequest, "The path must not start with two slashes.");
        }

        return await StartAsync(context, next, id =>
            UriHelper.BuildRelative(request.PathBase, request.Path, request.QueryString.Add(JobIdParameter, id.ToString())));
    }

    private async Task<object?> StartFromFormAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // The framework's antiforgery, whether or not the handler binds the form: a form on another site cannot start
        // jobs with this user's cookies, as it cannot read the token this app's own form holds.
        if (!await HasValidTokenAsync(context.HttpContext))
        {
            return JobLiveView.PlainText(StatusCodes.Status400BadRequest,
                "This form did not come with a valid antiforgery token (it came from another site, or the page is too old): reload the form and try again.");
        }

        var pathBase = context.HttpContext.Request.PathBase;
        return await StartAsync(context, next, id => pathBase + JobEndpoints.LivePath(id));
    }

    private async Task<bool> HasValidTokenAsync(HttpContext httpContext)
    {
        // app.UseAntiforgery() has checked the token already for a handler that binds the form.
        if (httpContext.Features.Get<IAntiforgeryValidationFeature>() is { } validated)
        {
            return validated.IsValid;
        }

        try
        {
            return await antiforgery.IsRequestValidAsync(httpContext);
        }
        catch (Exception unreadable) when (unreadable is InvalidDataException or BadHttpRequestException)
        {
            // A body that is not a readable form carries no token either.
            return false;
        }
    }

    private async Task<object?> StartAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, Func<JobId, string> location)
    {
        // What the handler prints before it starts its job opens that job's output.
        var output = new JobOutput(store, options.Value, time);
        object? handlerResult;
        OutputCapture capture;
        try
        {
            using (capture = OutputCapture.ForHandler(output))
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

        if ((output.Job ?? capture.ScheduledJob) is not { } id)
        {
            return handlerResult;
        }

        context.HttpContext.Response.Headers.Location = location(id);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private async Task<IResult> ShowAsync(StringValues jobIds, HttpContext httpContext)
    {
        JobLiveView.SetHeaders(httpContext);
        if (jobIds.Count != 1 || !JobId.TryParse(jobIds[0], out var id))
        {
            return JobLiveView.PlainText(StatusCodes.Status400BadRequest,
                $"'{JobIdParameter}' must be one job id of {JobId.TextLength} URL-safe characters, as given in the redirect.");
        }

        return await JobLiveView.ShowAsync(id, httpContext, store, access);
    }
}
