using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Tests;

/// <summary>
/// The app as Program.cs builds it, in memory, with a clock the test moves and only the settings the test chooses.
/// What the app's own customisations would change under the tests is kept out: its appsettings files and environment
/// variables are not read (each test sets what it depends on), and hosted services the app registers beyond
/// Backgrounder's own do not run (they would share the test's clock) unless the test names them in
/// <see cref="RunHostedServices"/>.
/// </summary>
public sealed class BackgrounderAppFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    private readonly TaskCompletionSource _startAwaited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestClock Time { get; } = new();

    public string Environment { get; init; } = "Development";

    /// <summary>Services to swap in after the app's own registrations.</summary>
    public Action<IServiceCollection> ConfigureTestServices { get; init; } = _ => { };

    /// <summary>Endpoints of the test's own, mapped onto the app beside its endpoints (its middleware applies to them).</summary>
    public Action<IEndpointRouteBuilder>? MapTestEndpoints { get; init; }

    /// <summary>The app's own hosted services (registered with <c>AddHostedService&lt;T&gt;()</c>) that this test runs.</summary>
    public IReadOnlyCollection<Type> RunHostedServices { get; init; } = [];

//#if (Redis)
    /// <summary>Whether the Redis settings are validated; off, jobs stay in memory in every environment.</summary>
    public bool CheckRedisSettings { get; init; }

//#endif
    public BackgroundJobs Jobs => Services.GetRequiredService<BackgroundJobs>();

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public HttpClient CreatePlainClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Starts a job through the app's <see cref="BackgroundJobs"/>, as an endpoint would.</summary>
    public Task<JobId> StartAsync(JobWork work) => Jobs.StartAsync(work);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);

        // Settings given this way are seen even by code in Program.cs that reads them before the app is built.
        foreach (var (key, value) in TestSettings.Baseline(Environment).Concat(settings))
        {
            builder.UseSetting(key, value);
        }

        // The app's appsettings*.json (and user secrets) and environment variables are the app owner's to change:
        // a test that depends on a setting sets it above.
        builder.ConfigureAppConfiguration(configuration =>
        {
            foreach (var source in configuration.Sources.Where(IsAppSettings).ToList())
            {
                configuration.Sources.Remove(source);
            }
        });

        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            services.Replace(ServiceDescriptor.Singleton<IHostLifetime>(new HeldHostLifetime(_startAwaited.Task)));
            foreach (var hostedService in services.Where(IsAppHostedService).ToList())
            {
                services.Remove(hostedService);
            }
//#if (Redis)

            // In memory in every environment: the Redis settings are not these tests' to check (SettingsValidationTests do).
            if (!CheckRedisSettings)
            {
                services.RemoveAll<IValidateOptions<RedisStoreOptions>>();
            }
//#endif
            if (MapTestEndpoints is { } map)
            {
                services.AddSingleton<IStartupFilter>(new TestEndpointsStartupFilter(map));
            }

            ConfigureTestServices(services);
        });
    }

    /// <summary>As the base class does, but the app's start is released only once the start is awaited.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        var started = host.StartAsync();
        _startAwaited.TrySetResult();
        started.GetAwaiter().GetResult();
        return host;
    }

    private static bool IsAppSettings(IConfigurationSource source) =>
        source is JsonConfigurationSource or EnvironmentVariablesConfigurationSource { Prefix: null or "" };

    /// <summary>A hosted service of the app's own, or of a library it added: neither the framework's nor Backgrounder's.</summary>
    private bool IsAppHostedService(ServiceDescriptor descriptor)
    {
        if (descriptor.ServiceType != typeof(IHostedService) || descriptor.IsKeyedService)
        {
            return false;
        }

        var type = descriptor.ImplementationType
            ?? descriptor.ImplementationInstance?.GetType()
            ?? descriptor.ImplementationFactory?.Method.DeclaringType;
        var ns = type?.Namespace ?? "";
        var framework = ns.StartsWith("Microsoft.", StringComparison.Ordinal) || ns.StartsWith("System.", StringComparison.Ordinal);
        var backgrounder = ns == typeof(BackgroundJobs).Namespace;
        return !framework && !backgrounder && !RunHostedServices.Contains(type);
    }
}
