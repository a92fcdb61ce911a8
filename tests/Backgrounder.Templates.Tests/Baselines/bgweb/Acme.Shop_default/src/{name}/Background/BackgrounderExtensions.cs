using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Acme.Shop.Background;

/// <summary>What Program.cs calls: <c>AddBackgrounder</c>, <c>MapJobEndpoints</c>, and <c>WithBackgrounder</c> on any GET endpoint.</summary>
public static class BackgrounderExtensions
{
    /// <summary>
    /// Adds the job store, the queue and its workers, the cleanup service, metrics, the queue's health check, the
    /// per-client limits, authorization (for the viewer policy), antiforgery (for forms that start jobs) and the
    /// trusted proxies (the <c>ForwardedHeaders</c> section), configured from the <c>Backgrounder</c> section.
    /// </summary>
    public static IServiceCollection AddBackgrounder(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackgrounderOptions>()
            .Bind(configuration.GetSection(BackgrounderOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackgrounderOptions>, ViewerPolicyValidation>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJobStore, InMemoryJobStore>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<JobAccess>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<JobRetries>();
        services.AddHttpContextAccessor();
        services.AddSingleton(provider => new BackgroundJobs(
            provider.GetRequiredService<JobQueue>(),
            provider.GetRequiredService<IJobStore>(),
            provider.GetRequiredService<JobMetrics>(),
            provider.GetRequiredService<JobRegistry>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IHttpContextAccessor>(),
            provider.GetRequiredService<JobAccess>(),
            provider.GetRequiredService<IOptions<JsonOptions>>(),
            provider.GetRequiredService<IOptions<BackgrounderOptions>>()));
        // The scheduler before the workers: it starts first, and stops after them (hosted services stop in reverse).
        services.AddHostedService<JobScheduler>();
        services.AddHostedService<JobWorkerService>();
        services.AddHostedService<JobCleanupService>();

        services.AddMetrics();
        services.AddDataProtection();

        // Viewer policies, and the antiforgery a form that starts jobs needs (Program.cs calls app.UseAntiforgery()).
        services.AddAuthorization();
        services.AddAntiforgery();
        services.AddHealthChecks().AddCheck<JobQueueHealthCheck>("job-queue");
        services.AddRateLimiter(JobRateLimits.Add);
        services.AddSingleton<IStartupFilter, NoSniffStartupFilter>();

        // The client's address and scheme behind a reverse proxy (Program.cs calls app.UseForwardedHeaders()): the
        // per-client limits, owner cookies' Secure, redirects and logs see the client, not the proxy.
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>>(new ForwardedHeadersSetup(configuration));
        services.AddOptions<ForwardedHeadersOptions>().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Registers the job class <typeparamref name="TJob"/> (an <see cref="IJob"/> or <see cref="IJob{TArguments}"/>)
    /// under its class name, resolved for each run in the run's own DI scope. Two classes with one name stop start-up.
    /// </summary>
    public static IServiceCollection AddJob<TJob>(this IServiceCollection services)
        where TJob : class
    {
        if (!typeof(TJob).IsAssignableTo(typeof(IJob)) && !typeof(TJob).GetInterfaces().Any(IsArgumentsJob))
        {
            throw new ArgumentException($"{typeof(TJob).FullName} is not a job: implement IJob or IJob<TArguments>.", nameof(TJob));
        }

        services.TryAddScoped<TJob>();
        services.AddSingleton(new JobRegistration(JobRegistration.NameOf(typeof(TJob)), typeof(TJob)));
        return services;
    }

    /// <summary>
    /// Maps <c>GET /jobs/{id}/live</c> (the job's own page), <c>GET /jobs/{id}</c>, <c>GET /jobs/{id}/events</c> and
    /// <c>POST /jobs/{id}/cancel</c>. The group can be put behind your authentication with <c>.RequireAuthorization()</c>.
    /// </summary>
    public static RouteGroupBuilder MapJobEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup(JobEndpoints.RoutePrefix);
        jobs.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (JobsUnavailableException unavailable)
            {
                // The store cannot be reached: say so, and when to ask again, rather than fail.
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.Problem(unavailable.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        jobs.MapGet("/{id}/live", JobEndpoints.LiveAsync);
        jobs.MapGet("/{id}", JobEndpoints.GetStatusAsync);
        jobs.MapGet("/{id}/events", JobEndpoints.FollowAsync).RequireRateLimiting(JobRateLimits.EventStreamsPolicy);
        jobs.MapPost("/{id}/cancel", JobEndpoints.CancelAsync);
        return jobs;
    }

    /// <summary>
    /// Applies the <c>?_t=</c> protocol to a GET endpoint whose handler starts a job with <see cref="BackgroundJobs"/>:
    /// <c>app.MapGet("/report", handler).WithBackgrounder();</c> (and <c>app.UseRateLimiter()</c> for the start limit).
    /// On a POST endpoint (a form, with <c>app.UseAntiforgery()</c>) it requires a valid antiforgery token and answers
    /// the job it starts with 303 to <c>/jobs/{id}/live</c>.
    /// </summary>
    public static TBuilder WithBackgrounder<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter<TBuilder, BackgrounderFilter>();
        builder.Add(endpoint =>
        {
            // Only with a limit set: otherwise every refresh of ?_t= would go through the limiter for nothing.
            if (endpoint.ApplicationServices.GetRequiredService<IOptions<BackgrounderOptions>>().Value.StartsPerMinutePerClient > 0)
            {
                endpoint.Metadata.Add(new EnableRateLimitingAttribute(JobRateLimits.StartsPolicy));
            }
        });
        return builder;
    }

    private static bool IsArgumentsJob(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IJob<>);
}
