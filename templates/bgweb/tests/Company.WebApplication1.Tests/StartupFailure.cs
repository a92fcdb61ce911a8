namespace Company.WebApplication1.Tests;

/// <summary>The exception that stops an app at start-up, as the app's own <c>app.Run()</c> meets it.</summary>
public static class StartupFailure
{
    public static Exception Of(Func<BackgrounderAppFactory> create)
    {
        using var app = create();
        return Assert.ThrowsAny<Exception>(() => app.Services);
    }
}
