using my_app.Background;
using my_app.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace my_app.Tests;

/// <summary>A bad setting stops the app at start-up with a message that names it.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("Backgrounder:MaxConcurrentJobs", "0")]
    [InlineData("Backgrounder:QueueCapacity", "-1")]
    [InlineData("Backgrounder:MaxOutputLines", "0")]
    [InlineData("Backgrounder:MaxRetainedJobs", "0")]
    [InlineData("Backgrounder:CleanupInterval", "00:00:00")]
    [InlineData("Backgrounder:RetentionPeriod", "-00:01:00")]
    [InlineData("Backgrounder:MaxConcurrentJobs", "many")]
    [InlineData("Backgrounder:CleanupInterval", "soon")]
    [InlineData("Backgrounder:MaxConcurrentJobs", "-1")]
    [InlineData("Backgrounder:QueueCapacity", "0")]
    [InlineData("Backgrounder:MaxOutputLines", "-5")]
    [InlineData("Backgrounder:MaxRetainedJobs", "-1")]
    [InlineData("Backgrounder:CleanupInterval", "-00:00:01")]
    [InlineData("Backgrounder:RetentionPeriod", "00:00:00")]
    [InlineData("Backgrounder:RequireOwner", "maybe")]
    [InlineData("Backgrounder:MaxOutputBytes", "0")]
    [InlineData("Backgrounder:MaxOutputBytes", "lots")]
    [InlineData("Backgrounder:MaxLineLength", "8")]
    [InlineData("Backgrounder:MaxLineLength", "2000000")]
    [InlineData("Backgrounder:MaxEventStreamsPerClient", "0")]
    [InlineData("Backgrounder:EventStreamLifetime", "00:00:00")]
    [InlineData("Backgrounder:StartsPerMinutePerClient", "-1")]
    [InlineData("Backgrounder:NodeName", "")]
    [InlineData("Backgrounder:Samples:LongRunningInterval", "00:00:00")]
    [InlineData("ConnectionStrings:Redis", "redis-host:not-a-port")]
    [InlineData("ConnectionStrings:Redis", "nosuchoption=1")]
    [InlineData("Backgrounder:Redis:KeyPrefix", "")]
    [InlineData("Backgrounder:Redis:NodeTimeout", "00:00:00")]
    public async Task An_invalid_setting_fails_start_up_naming_the_setting(string setting, string value)
    {
        await using var host = BuildHost((setting, value));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(setting, Messages(error));
    }

    [Fact]
    public async Task The_defaults_start()
    {
        await using var host = BuildHost();

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Outside_Development_a_missing_Redis_connection_string_fails_start_up_naming_the_setting()
    {
        // Empty, as when it is not set at all, whatever the environment running the tests has.
        await using var host = BuildHost("Production", ("ConnectionStrings:Redis", ""));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Redis", Messages(error));
    }

    // The app's registrations on an app that serves nothing: start-up runs the same validation, deterministically.
    private static WebApplication BuildHost(params (string Key, string Value)[] settings) => BuildHost("Development", settings);

    private static WebApplication BuildHost(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        if (environment == "Development")
        {
            // In memory, unless the test names a Redis: the settings are checked all the same.
            builder.Configuration["ConnectionStrings:Redis"] = "";
        }

        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddBackgrounder(builder.Configuration);
        builder.Services.AddJobs(builder.Configuration);
        return builder.Build();
    }

    private static string Messages(Exception? error)
    {
        var messages = new List<string>();
        for (; error is not null; error = error.InnerException)
        {
            messages.Add(error.Message);
        }

        return string.Join(" | ", messages);
    }
}
