using Acme.Shop.Background;

namespace Acme.Shop.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds the jobs in this folder: <c>AddJob&lt;T&gt;()</c> registers a job class under its name. Add yours here the same way.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddJob<ExampleJob>();
        return services;
    }
}
