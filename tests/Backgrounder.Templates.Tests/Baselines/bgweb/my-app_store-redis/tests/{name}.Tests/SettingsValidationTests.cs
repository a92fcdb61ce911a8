using my_app.Background;

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
    public void An_invalid_setting_fails_start_up_naming_the_setting(string setting, string value)
    {
        var error = StartupFailure.Of(() => App("Development", (setting, value)));

        Assert.Contains(setting, Messages(error));
    }

    [Fact]
    public void The_defaults_start()
    {
        using var app = App("Development");

        Assert.NotNull(app.Services.GetService(typeof(BackgroundJobs)));
    }

    [Fact]
    public void Outside_Development_a_missing_Redis_connection_string_fails_start_up_naming_the_setting()
    {
        // Empty, as when it is not set at all, whatever the environment running the tests has.
        var error = StartupFailure.Of(() => App("Production", ("ConnectionStrings:Redis", "")));

        Assert.Contains("ConnectionStrings:Redis", Messages(error));
    }

    // The app as Program.cs builds it; starting it runs every validation. Redis's settings are checked too.
    private static BackgrounderAppFactory App(string environment, params (string Key, string Value)[] settings) =>
        new(settings)
        {
            Environment = environment,
            CheckRedisSettings = true,
        };

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
