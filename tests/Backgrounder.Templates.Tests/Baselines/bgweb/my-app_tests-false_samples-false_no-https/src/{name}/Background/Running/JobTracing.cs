using System.Diagnostics;

namespace my_app.Background;

/// <summary>
/// One activity per run, <c>job &lt;name&gt;</c>, on a source named like the meter (<see cref="JobMetrics.MeterName"/>):
/// export it with OpenTelemetry's <c>AddSource</c>. Its parent is the activity that started the job (the request,
/// say), kept in the job's record as <see cref="JobStatus.TraceParent"/>, so the run joins the request's trace
/// whichever node runs it. Tagged
/// <c>job.id</c>, <c>job.name</c>, <c>job.attempt</c> and, once its final state is recorded, <c>job.state</c>.
/// </summary>
internal static class JobTracing
{
    public static readonly ActivitySource Source = new(JobMetrics.MeterName);

    public const string IdTag = "job.id";

    public const string StateTag = "job.state";

    /// <summary>Which attempt the run is (1 for the first): each attempt of a retried job is an activity of its own.</summary>
    public const string AttemptTag = "job.attempt";

    /// <summary>The current activity's W3C id, recorded with the job it starts; null outside one (or for the old hierarchical ids).</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Starts the run's activity, current for the job's own code; null, at no cost, when nobody listens.</summary>
    public static Activity? StartRun(JobRun run)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // The parent is what started the job, never whatever the worker's own flow happens to carry: no record of
        // one, and the run starts a trace of its own.
        _ = ActivityContext.TryParse(run.TraceParent, null, out var parent);
        Activity.Current = null;
        var activity = Source.StartActivity("job " + run.Name, ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(IdTag, run.Id.ToString());
            activity.SetTag(JobMetrics.NameTag, run.Name);
            activity.SetTag(AttemptTag, run.Attempt);
        }

        return activity;
    }

    /// <summary>Marks the run failed, with <paramref name="error"/> (the job's own) as the status and the exception as an event.</summary>
    public static void Failed(Activity? activity, Exception exception, string error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error);
        try
        {
            activity.AddException(exception);
        }
        catch (Exception)
        {
            // An exception whose message or stack trace throws when read: the status still says the run failed.
        }
    }

    /// <summary>Tags the final state just recorded; the worker ends the activity once it is done with the run.</summary>
    public static void Finished(Activity? activity, JobState state) => activity?.SetTag(StateTag, state.ToString());
}
