using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>Registers the Redis store when <c>ConnectionStrings:Redis</c> is set; it is required outside Development.</summary>
internal static class RedisJobStoreRegistration
{
    public static void AddRedisJobStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Redis");
        services.AddOptions<RedisStoreOptions>()
            .Bind(configuration.GetSection(RedisStoreOptions.SectionName))
            .Configure(redis => redis.ConnectionString = connectionString)
            .ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (redis, environment) => !string.IsNullOrWhiteSpace(redis.ConnectionString) || environment.IsDevelopment(),
                $"{RedisStoreOptions.ConnectionStringSetting} is required: the Redis server the nodes share jobs through, such as redis.example:6379.")
            .Validate(
                redis => string.IsNullOrWhiteSpace(redis.ConnectionString) || RedisStoreOptions.IsValid(redis.ConnectionString),
                $"{RedisStoreOptions.ConnectionStringSetting} is not a Redis connection string such as localhost:6379 or redis.example:6380,ssl=true,password=….")
            .ValidateOnStart();

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // Development without Redis: the in-memory store (a single node), as the tests use it.
            return;
        }

        services.AddSingleton<IConnectionMultiplexer>(provider =>
            ConnectionMultiplexer.Connect(provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value.Connection()));
        services.AddSingleton<RedisJobStore>();
        services.AddSingleton<IJobStore>(provider => provider.GetRequiredService<RedisJobStore>());
        services.AddSingleton<RedisStartCounter>();
        services.AddHostedService<RedisNodeHeartbeat>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");

        // Owner cookies minted on one node must open on every other: the Data Protection keys live in Redis too.
        services.AddSingleton(provider => new RedisXmlRepository(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value.KeyPrefix + "data-protection-keys"));
        services.AddDataProtection().SetApplicationName("Acme.Shop");
        services.AddOptions<KeyManagementOptions>()
            .Configure<RedisXmlRepository>((keys, repository) => keys.XmlRepository = repository);
    }
}
