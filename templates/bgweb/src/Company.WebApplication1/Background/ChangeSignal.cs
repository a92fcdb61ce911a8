namespace Company.WebApplication1.Background;

/// <summary>
/// Wakes whoever follows a job (an event stream, a test) when it writes a line or its status changes.
/// Take <see cref="Next"/> before reading what you follow, then await it: a change in between still wakes you.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource? _next;

    /// <summary>Completes at the next <see cref="Notify"/>; every waiter until then shares one task.</summary>
    public Task Next()
    {
        var next = Volatile.Read(ref _next);
        if (next is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            next = Interlocked.CompareExchange(ref _next, created, null) ?? created;
        }

        return next.Task;
    }

    /// <summary>Allocation-free while nobody waits, so a chatty job pays nothing for readers it does not have.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, null)?.TrySetResult();
}
