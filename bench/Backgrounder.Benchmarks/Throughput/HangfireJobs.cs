using Hangfire.Server;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>The Hangfire counterparts of <see cref="NoOpJob"/> and <see cref="TenLineJob"/>.</summary>
public static class HangfireJobs
{
    public static void NoOp()
    {
    }

    /// <summary>
    /// Hangfire has no job output of its own; Hangfire.Console (not served here) stores each line in the job
    /// storage through a write transaction. This does the same with the same ten lines.
    /// </summary>
    public static void TenLines(PerformContext context)
    {
        var key = "console:" + context.BackgroundJob.Id;
        var score = 0;
        foreach (var line in SampleLines.Ten)
        {
            using var transaction = context.Connection.CreateWriteTransaction();
            transaction.AddToSet(key, line, score++);
            transaction.Commit();
        }
    }
}
