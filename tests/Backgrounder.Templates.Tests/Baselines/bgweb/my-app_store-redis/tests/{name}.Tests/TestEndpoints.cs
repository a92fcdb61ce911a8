namespace my_app.Tests;

/// <summary>The app's endpoint that starts a job: the seed's index, or the minimal example without the samples.</summary>
public static class TestEndpoints
{
    public const string StartJob = "/";
}
