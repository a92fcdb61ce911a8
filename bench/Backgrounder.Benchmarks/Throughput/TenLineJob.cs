using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>A job that writes ten ready-made lines, so formatting them is not what gets measured.</summary>
public static class TenLineJob
{
    public static Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        foreach (var line in SampleLines.Ten)
        {
            context.WriteLine(line);
        }

        return Task.CompletedTask;
    }
}
