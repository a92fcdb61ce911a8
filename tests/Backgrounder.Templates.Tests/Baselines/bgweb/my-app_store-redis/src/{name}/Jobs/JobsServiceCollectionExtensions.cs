namespace my_app.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds the jobs in this folder. Register a job of your own here the same way.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SampleOptions>()
            .Bind(configuration.GetSection(SampleOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddTransient<LongRunning>();
        return services;
    }
}
