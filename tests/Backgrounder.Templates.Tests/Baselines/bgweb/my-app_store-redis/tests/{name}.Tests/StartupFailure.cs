namespace my_app.Tests;

/// <summary>The exception that stops an app at start-up, as the app's own <c>app.Run()</c> meets it.</summary>
public static class StartupFailure
{
    private const int Attempts = 5;

    /// <summary>
    /// Starts a new app from <paramref name="create"/> and returns why it did not start. When the app's start fails,
    /// its <c>app.Run()</c> disposes the host, and <c>WebApplicationFactory</c> may reach the disposed host first and
    /// report that instead of the cause (a race in the framework's test host): then a fresh app tries again.
    /// </summary>
    public static Exception Of(Func<BackgrounderAppFactory> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var app = create();
            var error = Assert.ThrowsAny<Exception>(() => app.Services);
            if (error is not ObjectDisposedException || attempt == Attempts)
            {
                return error;
            }
        }
    }
}
