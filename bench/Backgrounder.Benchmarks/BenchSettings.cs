namespace Backgrounder.Benchmarks;

/// <summary>Settings every measure shares, so ours and each baseline run under the same conditions.</summary>
public static class BenchSettings
{
    /// <summary>The template's default <c>Backgrounder:MaxConcurrentJobs</c>; every baseline gets as many workers.</summary>
    public const int Workers = 16;

    /// <summary>The template's default <c>Backgrounder:QueueCapacity</c>.</summary>
    public const int DefaultQueueCapacity = 100;
}
