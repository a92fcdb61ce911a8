using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Company.WebApplication1.Tests;

/// <summary>The app in memory, with a clock the test moves and settings the test chooses.</summary>
public sealed class BackgrounderAppFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 6, 14, 15, 50, 27, TimeSpan.Zero));

    public string Environment { get; init; } = "Development";

    /// <summary>Services to swap in after the app's own registrations.</summary>
    public Action<IServiceCollection> ConfigureTestServices { get; init; } = _ => { };

    public BackgroundJobs Jobs => Services.GetRequiredService<BackgroundJobs>();

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public HttpClient CreatePlainClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public Job GetJob(JobId id) => Store.Find(id) ?? throw new InvalidOperationException($"No job {id}.");

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
