using Company.WebApplication1.Background;
using Microsoft.Extensions.Time.Testing;

namespace Company.WebApplication1.Tests;

/// <summary>Waits on the app's own signals, with a generous timeout that only a broken app reaches.</summary>
public static class JobWaiting
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task WaitUntilFinishedAsync(this Job job) => job.Finished.WaitAsync(Timeout);

    public static async Task WaitForLinesAsync(this Job job, long count)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        while (job.Output.LineCount < count)
        {
            await job.Output.WaitForLinesAsync(job.Output.LineCount, cancel.Token);
        }
    }

    /// <summary>Waits on the job's change signal until its status satisfies <paramref name="condition"/>.</summary>
    public static async Task<JobStatus> WaitForStatusAsync(this Job job, Func<JobStatus, bool> condition)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        while (true)
        {
            var changed = job.Changed.Next();
            if (job.Status is var status && condition(status))
            {
                return status;
            }

            await changed.WaitAsync(cancel.Token);
        }
    }

    /// <summary>
    /// Moves the clock step by step until <paramref name="done"/> completes. A step may land before the app
    /// has armed its next timer; a later step then fires it, so timing changes only speed, never the result.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider time, Task done, TimeSpan step)
    {
        var deadline = Task.Delay(Timeout);
        while (!done.IsCompleted)
        {
            if (deadline.IsCompleted)
            {
                throw new TimeoutException($"Still waiting after {Timeout} of moving the clock.");
            }

            time.Advance(step);
            await Task.WhenAny(done, Task.Delay(20));
        }

        await done;
    }
}
