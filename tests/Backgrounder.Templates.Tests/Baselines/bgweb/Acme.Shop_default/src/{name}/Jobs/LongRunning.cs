using Acme.Shop.Background;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Jobs;

/// <summary>The seed's <c>longrunning</c>: ten lines <c>i: &lt;now&gt;</c>, one per interval, each a tenth of the progress bar.</summary>
public sealed class LongRunning(TimeProvider time, IOptions<SampleOptions> options) : IJob
{
    public const int Lines = 10;

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Lines; i++)
        {
            // TimeProvider rather than a plain delay, so tests move the clock instead of waiting.
            await Task.Delay(options.Value.LongRunningInterval, time, cancellationToken);
            context.WriteLine($"{i}: {SeedTimestamp.Now(time)}");
            context.ReportProgress((i + 1) / (double)Lines);
        }
    }
}
