namespace Company.WebApplication1.Tests;

/// <summary>The app's endpoint that starts a job: the seed's index, or the minimal example without the samples.</summary>
public static class TestEndpoints
{
#if (Samples)
    public const string StartJob = "/";
#else
    public const string StartJob = "/example";
#endif
}
