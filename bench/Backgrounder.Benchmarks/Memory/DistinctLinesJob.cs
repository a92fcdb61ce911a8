using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Memory;

/// <summary>
/// A job object per start, as the app's handlers get a transient job from DI and pass <c>job.RunAsync</c>:
/// its delegate and its ten freshly formatted lines are what a real finished job keeps alive.
/// </summary>
public sealed class DistinctLinesJob(int seed)
{
    public const int Lines = 10;

    public Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        for (var line = 0; line < Lines; line++)
        {
            context.WriteLine(SampleLines.Make(line, seed));
        }

        return Task.CompletedTask;
    }
}
