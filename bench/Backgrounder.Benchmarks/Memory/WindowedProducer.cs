using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Memory;

/// <summary>
/// Starts many jobs without ever overfilling the app's bounded queue: job <c>i</c> starts once job
/// <c>i - window</c> has finished, so at most <c>window</c> (the queue capacity) are queued or running.
/// </summary>
public sealed class WindowedProducer(BackgroundJobs jobs, IJobStore store, int window)
{
    private readonly Task[] _inFlight = [.. Enumerable.Repeat(Task.CompletedTask, window)];

    public async Task RunAsync(int count, Func<int, JobWork> workFor, Action<int>? everyThousand = null)
    {
        for (var i = 0; i < count; i++)
        {
            var slot = i % window;
            if (!_inFlight[slot].IsCompleted)
            {
                await _inFlight[slot];
            }

            _inFlight[slot] = store.Find(jobs.Start(workFor(i)))!.Finished;
            if (i % 1000 == 0)
            {
                everyThousand?.Invoke(i);
            }
        }

        await Task.WhenAll(_inFlight);
    }
}
