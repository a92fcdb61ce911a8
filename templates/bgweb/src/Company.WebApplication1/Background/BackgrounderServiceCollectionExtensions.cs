using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

public static class BackgrounderServiceCollectionExtensions
{
    /// <summary>
    /// Adds the job queue, its workers, the cleanup service, job metrics and the queue's health check,
    /// configured from the <c>Backgrounder</c> section.
    /// </summary>
    public static IServiceCollection AddBackgrounder(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackgrounderOptions>()
            .Bind(configuration.GetSection(BackgrounderOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackgrounderOptions>, BackgrounderOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJobStore, InMemoryJobStore>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobRetention>();
        services.AddSingleton<JobAccess>();
        services.AddSingleton<BackgrounderMetrics>();
        services.AddSingleton<BackgroundJobs>();
        services.AddHostedService<JobWorkerService>();
        services.AddHostedService<JobCleanupService>();

        services.AddMetrics();
        services.AddHealthChecks().AddCheck<JobQueueHealthCheck>("job-queue");
        services.AddSingleton<IStartupFilter, NoSniffStartupFilter>();
        return services;
    }
}
