using Backgrounder.Benchmarks.Hosting;
using Company.WebApplication1.Background;

namespace Backgrounder.Benchmarks.Memory;

/// <summary>
/// Starts many jobs without ever overfilling the app's bounded queue: a job starts only while fewer than
/// <c>window</c> (the queue capacity) started ones have not finished.
/// </summary>
public sealed class WindowedProducer(BackgroundJobs jobs, JobCompletions completions, int window)
{
    private long _started;

    public async Task RunAsync(int count, Func<int, JobWork> workFor, Func<int, Task>? everyThousand = null)
    {
        for (var i = 0; i < count; i++)
        {
            if (_started - completions.Count >= window)
            {
                await completions.WhenCount(_started - window + 1);
            }

            await jobs.StartAsync(workFor(i));
            _started++;
            if (i % 1000 == 0 && everyThousand is not null)
            {
                await everyThousand(i);
            }
        }

        await completions.WhenCount(_started);
    }
}
