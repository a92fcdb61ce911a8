using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

public static class BackgrounderServiceCollectionExtensions
{
    /// <summary>Adds the job queue, its workers and the cleanup service, configured from the <c>Backgrounder</c> section.</summary>
    public static IServiceCollection AddBackgrounder(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackgrounderOptions>()
            .Bind(configuration.GetSection(BackgrounderOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackgrounderOptions>, BackgrounderOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJobStore, InMemoryJobStore>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<BackgroundJobs>();
        services.AddHostedService<JobWorkerService>();
        services.AddHostedService<JobCleanupService>();
        return services;
    }
}
