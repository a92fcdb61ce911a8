using Company.WebApplication1.Background;

namespace Company.WebApplication1.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds the jobs in this folder: <c>AddJob&lt;T&gt;()</c> registers a job class under its name. Add yours here the same way.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        //#if (Samples)
        services.AddOptions<SampleOptions>()
            .Bind(configuration.GetSection(SampleOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddJob<LongRunning>();
        //#endif
        //#if (!Samples)
        services.AddJob<ExampleJob>();
        //#endif
        return services;
    }
}
