using Acme.Shop.Background;

namespace Acme.Shop.Jobs;

/// <summary>A minimal job to replace with your own work: a line and a progress report per step, stopping when asked.</summary>
public sealed class ExampleJob(TimeProvider time) : IJob
{
    public const int Steps = 3;

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        for (var step = 1; step <= Steps; step++)
        {
            // TimeProvider rather than a plain delay, so tests move the clock instead of waiting.
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            context.WriteLine($"Step {step} of {Steps} done.");
            context.ReportProgress(step / (double)Steps);
        }
    }
}
