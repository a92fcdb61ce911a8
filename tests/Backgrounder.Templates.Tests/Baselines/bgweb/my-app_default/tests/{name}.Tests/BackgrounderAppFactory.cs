using my_app.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace my_app.Tests;

/// <summary>The app in memory, with a clock the test moves and settings the test chooses.</summary>
public sealed class BackgrounderAppFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public TestClock Time { get; } = new();

    public string Environment { get; init; } = "Development";

    /// <summary>Services to swap in after the app's own registrations.</summary>
    public Action<IServiceCollection> ConfigureTestServices { get; init; } = _ => { };

    public BackgroundJobs Jobs => Services.GetRequiredService<BackgroundJobs>();

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public HttpClient CreatePlainClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Starts a job through the app's <see cref="BackgroundJobs"/>, as an endpoint would.</summary>
    public Task<JobId> StartAsync(JobWork work) => Jobs.StartAsync(work);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            ConfigureTestServices(services);
        });
    }
}
