using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>
/// The seed's <c>@backgrounder</c> as an endpoint filter. Without <c>_t</c> the handler runs, and the job it
/// starts is answered with 303 to the same URL plus <c>_t=&lt;id&gt;</c>. With <c>_t</c> the handler does not run:
/// the job's output so far is returned as text, with <c>Refresh: 1</c> while it is still going (the seed's F5),
/// or, to a browser, as <see cref="JobLivePage"/>, where the output grows live without reloading.
/// </summary>
public sealed class BackgrounderFilter(IJobStore store, JobAccess access, IOptions<BackgrounderOptions> options) : IEndpointFilter
{
    public const string JobIdParameter = "_t";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.Query.TryGetValue(JobIdParameter, out var jobIds))
        {
            return ShowOutput(jobIds, context.HttpContext);
        }

        object? handlerResult;
        JobId? startedJob;
        using (var capture = OutputCapture.Begin(new JobOutput(options.Value.MaxOutputLines)))
        {
            try
            {
                handlerResult = await next(context);
            }
            catch (JobQueueFullException full)
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.Text(full.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            startedJob = capture.Owner;
        }

        if (startedJob is not { } id)
        {
            return handlerResult;
        }

        if (store.Find(id) is { } started)
        {
            // Before the id leaves the server in the redirect, so no other client ever sees the job unbound.
            access.BindToClient(started, context.HttpContext);
        }

        var query = request.QueryString.Add(JobIdParameter, id.ToString());
        context.HttpContext.Response.Headers.Location = UriHelper.BuildRelative(request.PathBase, request.Path, query);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private IResult ShowOutput(IReadOnlyList<string?> jobIds, HttpContext httpContext)
    {
        // The same URL answers curl with text and a browser with the live page; caches must keep them apart.
        httpContext.Response.Headers.Vary = "Accept";

        if (jobIds.Count != 1 || !JobId.TryParse(jobIds[0], out var id))
        {
            return PlainText(StatusCodes.Status400BadRequest,
                $"'{JobIdParameter}' must be one job id of {JobId.TextLength} URL-safe characters, as given in the redirect.");
        }

        if (access.Find(id, httpContext) is not { } job)
        {
            return PlainText(StatusCodes.Status404NotFound,
                $"No job {id}. It may have finished and been cleaned up, or it never existed.");
        }

        return WantsHtml(httpContext.Request) ? new JobLivePage(job) : new JobOutputTextResult(job);
    }

    /// <summary>Browsers name text/html; curl's <c>*/*</c> and clients that send no Accept keep the seed's text.</summary>
    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(type =>
            type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && type.Quality is not 0);

    private static IResult PlainText(int statusCode, string text) =>
        Results.Text(text + "\n", "text/plain; charset=utf-8", statusCode: statusCode);
}
