using Hangfire;
using Hangfire.States;
using Hangfire.Storage;

namespace Backgrounder.Benchmarks.Throughput;

/// <summary>Counts jobs reaching Hangfire's Succeeded state and completes a task when all expected have.</summary>
public sealed class HangfireCompletion : IApplyStateFilter
{
    private static readonly HangfireCompletion s_instance = new();
    private static int s_installed;

    private TaskCompletionSource _allDone = new();
    private int _remaining;

    /// <summary>Registers the filter once per process; Hangfire's filters are global.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            GlobalJobFilters.Filters.Add(s_instance);
        }
    }

    public static Task Expect(int jobs)
    {
        s_instance._allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref s_instance._remaining, jobs);
        return s_instance._allDone.Task;
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is SucceededState && Interlocked.Decrement(ref _remaining) == 0)
        {
            _allDone.TrySetResult();
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
