namespace Acme.Shop.Tests;

/// <summary>
/// The settings every <see cref="BackgrounderAppFactory"/> app starts from, whatever the app's appsettings files say;
/// a test's own settings come after them and win. Everything else keeps the default its options class gives.
/// </summary>
public static class TestSettings
{
    public static IEnumerable<(string Key, string Value)> Baseline(string environment) =>
    [
        // These tests keep jobs in memory and need no Redis; RedisJobStoreTests run the store against a real server.
        ("ConnectionStrings:Redis", ""),
        // The threaddb viewer in Development only, as appsettings.Development.json has it.
        ("Backgrounder:Viewer:Enabled", environment == "Development" ? "true" : "false"),
        // The app's own log lines (a failed job's reference, shutdown's summary), without the framework's per request.
        ("Logging:LogLevel:Default", "Information"),
        ("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
    ];
}
