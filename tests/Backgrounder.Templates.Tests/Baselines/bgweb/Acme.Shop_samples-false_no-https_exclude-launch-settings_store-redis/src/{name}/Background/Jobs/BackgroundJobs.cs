using System.Text.Json;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Acme.Shop.Background;

/// <summary>
/// Starts jobs from anywhere: <c>await jobs.StartAsync&lt;ImportOrders&gt;()</c> (a job class, see <see cref="IJob"/>)
/// or <c>await jobs.StartAsync(work)</c> (a delegate) records a job, queues it on this node and returns its id at once;
/// a worker runs it in a DI scope of its own. A job started while a request is served belongs to that request's
/// signed-in user (with <c>Backgrounder:RequireOwner</c>, to its client); one started outside a request (a hosted
/// service, a timer) has no owner. From an endpoint with <c>.WithBackgrounder()</c> the request then answers 303 to
/// the job's output, and what the handler printed first opens it.
/// </summary>
public sealed class BackgroundJobs
{
    private readonly JobQueue _queue;
    private readonly IJobStore _store;
    private readonly JobMetrics _metrics;
    private readonly JobRegistry _registry;
    private readonly TimeProvider _time;
    private readonly IHttpContextAccessor _requests;
    private readonly JobAccess _access;
    private readonly JsonSerializerOptions _json;
    private readonly BackgrounderOptions _options;

    internal BackgroundJobs(
        JobQueue queue,
        IJobStore store,
        JobMetrics metrics,
        JobRegistry registry,
        TimeProvider time,
        IHttpContextAccessor requests,
        JobAccess access,
        IOptions<JsonOptions> json,
        IOptions<BackgrounderOptions> options)
    {
        (_queue, _store, _metrics, _registry, _time, _requests, _access) = (queue, store, metrics, registry, time, requests, access);
        (_json, _options) = (json.Value.SerializerOptions, options.Value);
    }

    /// <summary>
    /// Starts a run of the job class <typeparamref name="TJob"/>, built in the run's own DI scope (registered with
    /// <c>AddJob&lt;TJob&gt;()</c>, or made with its constructor's services), and returns the new job's id.
    /// </summary>
    /// <exception cref="JobsUnavailableException">The job cannot be taken now; nothing was recorded.</exception>
    public Task<JobId> StartAsync<TJob>(CancellationToken cancellationToken = default)
        where TJob : class, IJob =>
        StartAsync(
            Typed(typeof(TJob), arguments: null),
            static (context, token) => Activate<TJob>(context).RunAsync(context, token),
            RequestOwner(),
            cancellationToken);

    /// <summary>Starts a run of <typeparamref name="TJob"/> with <paramref name="arguments"/>, recorded with the job as JSON.</summary>
    /// <exception cref="ArgumentException">
    /// The arguments cannot be written as JSON, or their JSON is longer than <see cref="BackgrounderOptions.MaxArgumentsLength"/>;
    /// nothing was recorded. <c>.WithBackgrounder()</c> answers it with 400.
    /// </exception>
    /// <exception cref="JobsUnavailableException">The job cannot be taken now; nothing was recorded.</exception>
    public Task<JobId> StartAsync<TJob, TArguments>(TArguments arguments, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TArguments> =>
        StartAsync(
            Typed(typeof(TJob), Serialize(arguments)),
            (context, token) => Activate<TJob>(context).RunAsync(arguments, context, token),
            RequestOwner(),
            cancellationToken);

    /// <summary>
    /// Schedules a run of the registered job class <typeparamref name="TJob"/> <paramref name="delay"/> from now, and
    /// returns its id: it is <see cref="JobState.Scheduled"/> until then, and any node that registered the class runs it.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TJob"/> is not registered with <c>AddJob&lt;TJob&gt;()</c>.</exception>
    /// <exception cref="JobsUnavailableException">
    /// <see cref="BackgrounderOptions.MaxScheduledJobs"/> jobs are scheduled already, or the store cannot be reached; nothing was recorded.
    /// </exception>
    public Task<JobId> ScheduleAsync<TJob>(TimeSpan delay, CancellationToken cancellationToken = default)
        where TJob : class, IJob =>
        ScheduleAsync<TJob>(_time.GetUtcNow() + delay, cancellationToken);

    /// <summary>Schedules a run of <typeparamref name="TJob"/> at <paramref name="runAt"/> (at once, if that has passed).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TJob"/> is not registered with <c>AddJob&lt;TJob&gt;()</c>.</exception>
    /// <exception cref="JobsUnavailableException">Too many jobs are scheduled, or the store cannot be reached; nothing was recorded.</exception>
    public Task<JobId> ScheduleAsync<TJob>(DateTimeOffset runAt, CancellationToken cancellationToken = default)
        where TJob : class, IJob =>
        ScheduleAsync(Registered(typeof(TJob), arguments: null), runAt, cancellationToken);

    /// <summary>Schedules a run of <typeparamref name="TJob"/> with <paramref name="arguments"/>, <paramref name="delay"/> from now.</summary>
    /// <exception cref="ArgumentException">The arguments cannot be recorded (see <see cref="StartAsync{TJob, TArguments}"/>).</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TJob"/> is not registered with <c>AddJob&lt;TJob&gt;()</c>.</exception>
    /// <exception cref="JobsUnavailableException">Too many jobs are scheduled, or the store cannot be reached; nothing was recorded.</exception>
    public Task<JobId> ScheduleAsync<TJob, TArguments>(TArguments arguments, TimeSpan delay, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TArguments> =>
        ScheduleAsync<TJob, TArguments>(arguments, _time.GetUtcNow() + delay, cancellationToken);

    /// <summary>Schedules a run of <typeparamref name="TJob"/> with <paramref name="arguments"/> at <paramref name="runAt"/>.</summary>
    /// <exception cref="ArgumentException">The arguments cannot be recorded (see <see cref="StartAsync{TJob, TArguments}"/>).</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TJob"/> is not registered with <c>AddJob&lt;TJob&gt;()</c>.</exception>
    /// <exception cref="JobsUnavailableException">Too many jobs are scheduled, or the store cannot be reached; nothing was recorded.</exception>
    public Task<JobId> ScheduleAsync<TJob, TArguments>(TArguments arguments, DateTimeOffset runAt, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TArguments> =>
        ScheduleAsync(Registered(typeof(TJob), Serialize(arguments)), runAt, cancellationToken);

    /// <summary>
    /// Starts <paramref name="work"/> in the background and returns the new job's id. Its name is the route of the
    /// endpoint whose request starts it (<c>GET /example</c>), or <see cref="JobStatus.DefaultName"/> outside a request.
    /// </summary>
    /// <exception cref="JobsUnavailableException">
    /// The job cannot be taken now: the queue is full, the app is stopping, or the store cannot be reached. Nothing was
    /// recorded. <c>.WithBackgrounder()</c> answers it with 503 and <c>Retry-After</c>, any other endpoint with 503.
    /// </exception>
    public Task<JobId> StartAsync(JobWork work, CancellationToken cancellationToken = default) =>
        StartAsync(RequestName() ?? JobStatus.DefaultName, work, cancellationToken);

    /// <summary>Starts <paramref name="work"/> under <paramref name="name"/>, as the dashboard and the logs show it.</summary>
    /// <exception cref="JobsUnavailableException">The job cannot be taken now; nothing was recorded.</exception>
    public Task<JobId> StartAsync(string name, JobWork work, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(work);
        return StartAsync(new JobStatus(JobId.New(), JobState.Queued, _time.GetUtcNow()) { Name = name, Kind = JobKind.Delegate }, work, RequestOwner(), cancellationToken);
    }

    /// <summary>
    /// Starts a finished job of a registered class again, with its name and arguments and no owner (the dashboard's
    /// Run again); null when it cannot be: a delegate job, a name no class is registered under, or not finished.
    /// </summary>
    /// <exception cref="JobArgumentsException">Its recorded arguments no longer fit the class's arguments type.</exception>
    internal Task<JobId>? TryStartAgainAsync(JobStatus job, CancellationToken cancellationToken = default)
    {
        if (!CanStartAgain(job))
        {
            return null;
        }

        var type = _registry.Jobs[job.Name];
        var work = JobReplay.WorkFor(type, job.Arguments, _json);
        return StartAsync(Typed(type, job.Arguments) with { Repeats = job.Id }, work, owner: null, cancellationToken);
    }

    internal bool CanStartAgain(JobStatus job) => job.IsFinished && job.Kind == JobKind.Typed && _registry.Jobs.ContainsKey(job.Name);

    /// <summary>A new record of a job class, with its name and retry policy.</summary>
    /// <exception cref="InvalidOperationException">The class's <see cref="RetryAttribute"/> is not valid.</exception>
    private JobStatus Typed(Type jobType, JsonElement? arguments) =>
        new(JobId.New(), JobState.Queued, _time.GetUtcNow())
        {
            Name = _registry.NameOf(jobType),
            Kind = JobKind.Typed,
            Arguments = arguments,
            Retry = _registry.RetryOf(jobType),
        };

    /// <summary>As <see cref="Typed"/>, for a class that must be registered: a due job is run by whichever node knows its name.</summary>
    private JobStatus Registered(Type jobType, JsonElement? arguments) =>
        _registry.IsRegistered(jobType)
            ? Typed(jobType, arguments)
            : throw new InvalidOperationException(
                $"{jobType.FullName} is not registered: call services.AddJob<{jobType.Name}>() so that any node can run it when it is due.");

    private async Task<JobId> ScheduleAsync(JobStatus job, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        // Owned as a start is: whoever scheduled it from a request follows it, from now until it has run.
        job = job with { State = JobState.Scheduled, RunAt = JobScheduler.DueTime(runAt), Owner = RequestOwner(), TraceParent = JobTracing.CurrentTraceParent() };
        try
        {
            await _store.CreateAsync(job, cancellationToken);
        }
        catch
        {
            _metrics.Rejected(job.Name);
            throw;
        }

        // Behind .WithBackgrounder() the request answers 303 to it, as for a start.
        OutputCapture.Current?.Scheduled(job.Id);
        return job.Id;
    }

    private async Task<JobId> StartAsync(JobStatus created, JobWork work, string? owner, CancellationToken cancellationToken)
    {
        var name = created.Name;
        if (!_queue.TryReserve())
        {
            _metrics.Rejected(name);
            throw new JobsUnavailableException($"The job queue is full ({_options.QueueCapacity} jobs waiting) or the app is stopping; try again shortly.");
        }

        var capture = OutputCapture.Current;
        var claimed = capture?.TryClaim();
        var output = claimed ?? new JobOutput(_store, _options, _time);
        var id = created.Id;
        var traceParent = JobTracing.CurrentTraceParent();
        try
        {
            // The owner is part of the record from the start: no client ever sees the job unbound.
            var job = created with { Node = _options.NodeName, Owner = owner, TraceParent = traceParent };
            await _store.CreateAsync(job, cancellationToken);
        }
        catch
        {
            // Not recorded: the handler keeps what it printed (it reaches stdout), and the slot is free again.
            if (claimed is not null)
            {
                capture!.Unclaim();
            }

            _queue.ReleaseReservation();
            _metrics.Rejected(name);
            throw;
        }

        output.Attach(id);
        if (!_queue.TryEnqueue(new JobRun(id, name, work, output, traceParent, retry: created.Retry)))
        {
            // The app began to stop while the job was recorded: it never runs, and nothing is left queued.
            await _store.TryFinishAsync(id, JobState.Canceled, finalLine: IJobStore.CanceledLine, cancellationToken: CancellationToken.None);
            _metrics.Rejected(name);
            throw new JobsUnavailableException("The app is stopping; no job was started.");
        }

        _metrics.Started(name);
        return id;
    }

    // Registered jobs come from the run's scope; others are made there with their constructor's services.
    private static TJob Activate<TJob>(JobContext context)
        where TJob : class =>
        ActivatorUtilities.GetServiceOrCreateInstance<TJob>(context.Services);

    /// <summary>Who a job started by the current request belongs to; null outside a request.</summary>
    private string? RequestOwner() => _requests.HttpContext is { } httpContext ? _access.OwnerOfNewJob(httpContext) : null;

    /// <summary>The route of the endpoint serving the current request, as <c>GET /example</c>; null outside one.</summary>
    private string? RequestName()
    {
        if (_requests.HttpContext is not { } httpContext)
        {
            return null;
        }

        var route = (httpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? httpContext.Request.Path.Value ?? "/";
        return $"{httpContext.Request.Method} {(route.StartsWith('/') ? route : "/" + route)}";
    }

    private JsonElement Serialize<TArguments>(TArguments arguments)
    {
        string json;
        try
        {
            json = JsonSerializer.Serialize(arguments, _json);
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new JobArgumentsException($"The job's arguments ({typeof(TArguments).Name}) cannot be written as JSON: {exception.Message}", exception);
        }

        if (json.Length > _options.MaxArgumentsLength)
        {
            throw new JobArgumentsException(
                $"The job's arguments are {json.Length} characters of JSON, more than Backgrounder:MaxArgumentsLength ({_options.MaxArgumentsLength}).");
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
