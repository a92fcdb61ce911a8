using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// The jobs' own HTTP surface, for the live page and for scripts: the status as JSON, the output as server-sent
/// events, and cancel. Whoever may read <c>?_t=</c> may use them (<see cref="JobAccess"/>); every answer is
/// <c>Cache-Control: no-store</c>, as job output may be private.
/// </summary>
internal static class JobEndpoints
{
    public const string RoutePrefix = "/jobs";

    /// <summary>Keeps idle proxies and load balancers from closing a stream that waits for a slow job.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>How soon a client reconnects after its stream reached <see cref="BackgrounderOptions.EventStreamLifetime"/>.</summary>
    public static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(1);

    public static string StatusPath(JobId id) => $"{RoutePrefix}/{id}";

    public static string LivePath(JobId id) => $"{RoutePrefix}/{id}/live";

    public static string EventsPath(JobId id) => $"{RoutePrefix}/{id}/events";

    public static string CancelPath(JobId id) => $"{RoutePrefix}/{id}/cancel";

    /// <summary>The job's own page: what <c>?_t=&lt;id&gt;</c> answers, on any path setup.</summary>
    public static async Task<IResult> LiveAsync(string id, HttpContext httpContext, JobAccess access, IJobStore store)
    {
        JobLiveView.SetHeaders(httpContext);
        return JobId.TryParse(id, out var jobId)
            ? await JobLiveView.ShowAsync(jobId, httpContext, store, access)
            : JobLiveView.PlainText(StatusCodes.Status400BadRequest, $"A job id is {JobId.TextLength} URL-safe characters, as given in the redirect.");
    }

    /// <summary>The status and the lines from number <paramref name="from"/> on: poll with <c>?from=</c> the last <c>lineCount</c>.</summary>
    public static async Task<IResult> GetStatusAsync(string id, string? from, HttpContext httpContext, JobAccess access, IJobStore store, IOptions<JsonOptions> json)
    {
        NoStore(httpContext);
        if (await FindAsync(id, httpContext, access) is not { } job)
        {
            return NotFoundOrBad(id);
        }

        if (!TryParseLineNumber(from ?? "0", out var first))
        {
            return Problem(StatusCodes.Status400BadRequest, "'from' must be a line number: 0 or more.");
        }

        // The status, then its lines: one shape with the event stream's state events, plus the lines read.
        var lines = await store.ReadLinesAsync(job.Id, first, httpContext.RequestAborted);
        var body = JsonSerializer.SerializeToNode(job, json.Value.SerializerOptions)!.AsObject();
        body["from"] = lines.First;
        body["lines"] = JsonSerializer.SerializeToNode(lines.Lines, json.Value.SerializerOptions);
        return Results.Json(body, json.Value.SerializerOptions);
    }

    /// <summary>
    /// <c>text/event-stream</c>: a <c>line</c> event per output line, its <c>id:</c> the line's number, so a reconnecting
    /// <c>EventSource</c> resumes after <c>Last-Event-ID</c> (or <c>?lastEventId=</c>) on any node, with nothing lost or
    /// repeated; a <c>state</c> event on each status change. Once a client has everything of a finished job, 204 tells
    /// it to stop reconnecting.
    /// </summary>
    public static async Task<IResult> FollowAsync(
        string id,
        string? lastEventId,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        HttpContext httpContext,
        JobAccess access,
        IJobStore store,
        TimeProvider time,
        IOptions<BackgrounderOptions> options,
        IOptions<JsonOptions> json,
        IHostApplicationLifetime lifetime)
    {
        NoStore(httpContext);
        if (await FindAsync(id, httpContext, access) is not { } job)
        {
            return NotFoundOrBad(id);
        }

        // The header wins: EventSource keeps the URL's query when it reconnects, but sends the newer id.
        var lastSeen = string.IsNullOrEmpty(lastEventIdHeader) ? lastEventId : lastEventIdHeader;
        var last = -1L;
        if (lastSeen is not null && (!TryParseLineNumber(lastSeen, out last) || last == long.MaxValue))
        {
            return Problem(StatusCodes.Status400BadRequest, "'Last-Event-ID' (or 'lastEventId') must be the id of an event: 0 or more.");
        }

        var next = last + 1;
        if (job.IsFinished && next > job.LineCount)
        {
            // It saw the final state (whose id is the line count): a standard EventSource stops on 204.
            return Results.NoContent();
        }

        // Proxies such as nginx would otherwise hold events back to fill a buffer.
        httpContext.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(
            EventsAsync(job.Id, next, store, time, options.Value.EventStreamLifetime, json.Value.SerializerOptions, lifetime.ApplicationStopping, httpContext.RequestAborted));
    }

    /// <summary>202 once the cancel is recorded (a queued job is Canceled at once, a running one sees its token fire); 409 when it already finished.</summary>
    public static async Task<IResult> CancelAsync(string id, HttpContext httpContext, JobAccess access, IJobStore store)
    {
        NoStore(httpContext);
        if (await FindAsync(id, httpContext, access) is not { } job)
        {
            return NotFoundOrBad(id);
        }

        if (!await store.RequestCancelAsync(job.Id, httpContext.RequestAborted))
        {
            return Problem(StatusCodes.Status409Conflict, $"Job {job.Id} already finished: {job.State}.");
        }

        return Results.Accepted(httpContext.Request.PathBase + StatusPath(job.Id), await store.GetAsync(job.Id, httpContext.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        JobId id,
        long next,
        IJobStore store,
        TimeProvider time,
        TimeSpan streamLifetime,
        JsonSerializerOptions json,
        CancellationToken appStopping,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A stopping app ends its streams rather than wait for them, and a stream ends after its lifetime: the
        // client reconnects with Last-Event-ID, to this node or another, so no stream is held forever.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, appStopping);
        Task? ending = null;
        Task? heartbeat = null;
        JobStatus? sent = null;
        try
        {
            while (true)
            {
                // Each client pulls at its own pace: the job never waits for a slow reader, nor for a fast one.
                var changed = store.NextChange(id);
                if (await store.GetAsync(id, cancellationToken) is not { } status)
                {
                    yield break;
                }

                // The status before the lines: a final state goes out only after every line the job wrote.
                var lines = await store.ReadLinesAsync(id, next, cancellationToken);
                if (lines.First > next)
                {
                    yield return new SseItem<string>((lines.First - next).ToString(CultureInfo.InvariantCulture), "dropped");
                }

                for (var i = 0; i < lines.Lines.Count; i++)
                {
                    yield return new SseItem<string>(lines.Lines[i], "line") { EventId = (lines.First + i).ToString(CultureInfo.InvariantCulture) };
                }

                // Never backwards: a Last-Event-ID past the end waits for that line rather than repeat earlier ones.
                next = Math.Max(next, lines.Next);
                if (sent is null || StateChanged(sent, status))
                {
                    // The final state's id is one past the last line: a client reconnecting with it has everything (204).
                    var eventId = status.IsFinished ? status.LineCount.ToString(CultureInfo.InvariantCulture) : null;
                    yield return new SseItem<string>(JsonSerializer.Serialize(status, json), "state") { EventId = eventId };
                    sent = status;
                }

                if (status.IsFinished)
                {
                    yield break;
                }

                // Timers only for a stream that waits: a finished job's stream needs none (docs/benchmarks.md, measure 2).
                ending ??= Task.Delay(streamLifetime, time, ended.Token);
                heartbeat ??= Task.Delay(HeartbeatInterval, time, ended.Token);
                var woke = await Task.WhenAny(changed, heartbeat, ending);
                if (woke == ending)
                {
                    if (ending.IsCompletedSuccessfully)
                    {
                        yield return new SseItem<string>(string.Empty, "heartbeat") { ReconnectionInterval = ReconnectAfter };
                    }

                    yield break;
                }

                if (woke == heartbeat)
                {
                    heartbeat = null;
                    yield return new SseItem<string>(string.Empty, "heartbeat");
                }
            }
        }
        finally
        {
            // The lifetime and heartbeat timers go with the stream, rather than linger until they would have fired.
            ended.Cancel();
        }
    }

    /// <summary>What a state event reports; new lines alone are told by line events.</summary>
    private static bool StateChanged(JobStatus sent, JobStatus now) =>
        sent.State != now.State || sent.Progress != now.Progress || sent.CancelRequested != now.CancelRequested || sent.Error != now.Error
        || sent.RunAt != now.RunAt || sent.Attempt != now.Attempt;

    private static async Task<JobStatus?> FindAsync(string text, HttpContext httpContext, JobAccess access) =>
        JobId.TryParse(text, out var id) ? await access.FindAsync(id, httpContext) : null;

    private static IResult NotFoundOrBad(string text) =>
        JobId.TryParse(text, out var id)
            ? Problem(StatusCodes.Status404NotFound, $"No job {id}. It may have finished and been cleaned up, or it never existed.")
            : Problem(StatusCodes.Status400BadRequest, $"A job id is {JobId.TextLength} URL-safe characters, as given in the redirect.");

    private static bool TryParseLineNumber(string text, out long number) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);

    private static void NoStore(HttpContext httpContext) => httpContext.Response.Headers.CacheControl = "no-store";

    private static IResult Problem(int statusCode, string detail) => Results.Problem(detail, statusCode: statusCode);
}
