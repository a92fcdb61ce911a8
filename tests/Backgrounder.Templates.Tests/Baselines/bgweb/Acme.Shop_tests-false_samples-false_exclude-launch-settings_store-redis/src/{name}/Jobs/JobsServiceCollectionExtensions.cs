namespace Acme.Shop.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds the jobs in this folder. Register a job of your own here the same way.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTransient<ExampleJob>();
        return services;
    }
}
