using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Company.WebApplication1.Background;

/// <summary>
/// The jobs' own HTTP surface, for the live page and for scripts: status as JSON, output as server-sent events,
/// and cancel. Whoever may read <c>?_t=</c> may use them: anyone holding the id, or only its owner (<see cref="JobAccess"/>).
/// </summary>
public static class JobEndpoints
{
    public const string RoutePrefix = "/jobs";

    /// <summary>Maps <c>GET /jobs/{id}</c>, <c>GET /jobs/{id}/events</c> and <c>POST /jobs/{id}/cancel</c>.</summary>
    public static RouteGroupBuilder MapJobEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup(RoutePrefix);
        jobs.MapGet("/{id}", GetStatus);
        jobs.MapGet("/{id}/events", FollowEvents);
        jobs.MapPost("/{id}/cancel", Cancel);
        return jobs;
    }

    public static string StatusPath(JobId id) => $"{RoutePrefix}/{id}";

    public static string EventsPath(JobId id) => $"{RoutePrefix}/{id}/events";

    public static string CancelPath(JobId id) => $"{RoutePrefix}/{id}/cancel";

    /// <summary>The status and the lines from sequence number <paramref name="from"/> on: poll with <c>?from=</c> the last <c>lineCount</c>.</summary>
    public static IResult GetStatus(string id, string? from, HttpContext httpContext, JobAccess access)
    {
        if (!TryFind(id, httpContext, access, out var job, out var error))
        {
            return error;
        }

        if (!TryParseSequence(from, out var first))
        {
            return Problem(StatusCodes.Status400BadRequest, "'from' must be a line number: 0 or more.");
        }

        return Results.Json(JobDetails.Of(job, first));
    }

    /// <summary>The stream resumes after <c>Last-Event-ID</c> (sent by a reconnecting EventSource) or <c>?lastEventId=</c>.</summary>
    public static IResult FollowEvents(
        string id,
        string? lastEventId,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        HttpContext httpContext,
        JobAccess access)
    {
        if (!TryFind(id, httpContext, access, out var job, out var error))
        {
            return error;
        }

        // The header wins: EventSource keeps the URL's query when it reconnects, but sends the newer id.
        var lastSeen = string.IsNullOrEmpty(lastEventIdHeader) ? lastEventId : lastEventIdHeader;
        if (lastSeen is null)
        {
            return new JobEventStream(job, 0);
        }

        if (!TryParseSequence(lastSeen, out var last) || last == long.MaxValue)
        {
            return Problem(StatusCodes.Status400BadRequest, "'Last-Event-ID' (or 'lastEventId') must be the id of a line event: 0 or more.");
        }

        return new JobEventStream(job, last + 1);
    }

    /// <summary>202 once the job's token has fired (a queued job is Canceled at once); 409 when it already finished.</summary>
    public static IResult Cancel(string id, HttpContext httpContext, JobAccess access, TimeProvider time)
    {
        if (!TryFind(id, httpContext, access, out var job, out var error))
        {
            return error;
        }

        if (!job.TryCancel(time.GetUtcNow()))
        {
            return Problem(StatusCodes.Status409Conflict, $"Job {job.Id} already finished: {job.Status.State}.");
        }

        return Results.Accepted(httpContext.Request.PathBase + StatusPath(job.Id), job.Status);
    }

    private static bool TryFind(string text, HttpContext httpContext, JobAccess access, out Job job, out IResult error)
    {
        (job, error) = (null!, null!);
        if (!JobId.TryParse(text, out var id))
        {
            error = Problem(StatusCodes.Status400BadRequest, $"A job id is {JobId.TextLength} URL-safe characters, as given in the redirect.");
        }
        else if (access.Find(id, httpContext) is not { } found)
        {
            error = Problem(StatusCodes.Status404NotFound, $"No job {id}. It may have finished and been cleaned up, or it never existed.");
        }
        else
        {
            job = found;
        }

        return error is null;
    }

    private static bool TryParseSequence(string? text, out long sequence)
    {
        sequence = 0;
        return text is null || long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static IResult Problem(int statusCode, string detail) => Results.Problem(detail, statusCode: statusCode);
}
