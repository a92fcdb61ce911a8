using Microsoft.Extensions.Time.Testing;

namespace Acme.Shop.Tests;

/// <summary>
/// A fake clock that knows which timers are waiting on it, so a test moves time exactly to the next thing that
/// waits (a job's <c>Task.Delay</c>, say) instead of guessing when the app has armed it.
/// </summary>
public sealed class TestClock() : FakeTimeProvider(new DateTimeOffset(2008, 6, 14, 15, 50, 27, TimeSpan.Zero))
{
    private readonly Lock _gate = new();
    private readonly HashSet<TrackedTimer> _pending = [];
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Tracked before the fake clock can fire it: a timer due at once fires inside base.CreateTimer.
        var timer = new TrackedTimer(this, period);
        timer.Arm(dueTime);
        timer.Inner = base.CreateTimer(s => { timer.Fired(); callback(s); }, state, dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock from one waiting timer to the next, each time exactly to the earliest one due within
    /// <paramref name="within"/>, until <paramref name="done"/> completes. Timers further away (cleanup, heartbeats)
    /// are not reached, so nothing fires early and the clock never overshoots what the test waits for.
    /// </summary>
    public async Task RunUntilAsync(Task done, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(JobWaiting.Timeout);
        while (!done.IsCompleted)
        {
            Task armed;
            DateTimeOffset? next;
            lock (_gate)
            {
                armed = _armed.Task;
                var horizon = GetUtcNow() + within;
                next = _pending.Select(timer => timer.Due).Where(due => due <= horizon).Order().Cast<DateTimeOffset?>().FirstOrDefault();
            }

            if (next is { } due)
            {
                Advance(due - GetUtcNow());
                continue;
            }

            // Nothing close enough waits yet: wait for the app to arm a timer, or for the end.
            await Task.WhenAny(done, armed).WaitAsync(timeout.Token);
        }

        await done;
    }

    /// <summary>
    /// Completes once a timer waits for exactly <paramref name="due"/>, as the app's scheduler arms one for the job due
    /// then: a test that moves the clock after this never moves it before the app looked at it.
    /// </summary>
    public async Task ArmedAsync(DateTimeOffset due)
    {
        using var timeout = new CancellationTokenSource(JobWaiting.Timeout);
        while (true)
        {
            Task armed;
            lock (_gate)
            {
                armed = _armed.Task;
                if (_pending.Any(timer => timer.Due == due))
                {
                    return;
                }
            }

            await armed.WaitAsync(timeout.Token);
        }
    }

    /// <summary>Moves the clock to <paramref name="due"/> once a timer waits for it (<see cref="ArmedAsync"/>).</summary>
    public async Task AdvanceToArmedAsync(DateTimeOffset due)
    {
        await ArmedAsync(due);
        Advance(due - GetUtcNow());
    }

    /// <summary>Records when <paramref name="timer"/> is due next; never once it is disposed, though it fired meanwhile.</summary>
    private void Arm(TrackedTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (timer.IsDisposed || dueTime == Timeout.InfiniteTimeSpan)
            {
                _pending.Remove(timer);
                return;
            }

            timer.Due = GetUtcNow() + dueTime;
            _pending.Add(timer);
            _armed.TrySetResult();
            _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void Forget(TrackedTimer timer)
    {
        lock (_gate)
        {
            timer.IsDisposed = true;
            _pending.Remove(timer);
        }
    }

    private sealed class TrackedTimer(TestClock clock, TimeSpan period) : ITimer
    {
        private TimeSpan _period = period;

        public ITimer Inner { get; set; } = null!;

        /// <summary>Read and written under the clock's lock.</summary>
        public DateTimeOffset Due { get; set; }

        /// <summary>Read and written under the clock's lock.</summary>
        public bool IsDisposed { get; set; }

        public void Arm(TimeSpan dueTime) => clock.Arm(this, dueTime);

        public void Fired() => Arm(_period);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            Arm(dueTime);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Forget(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Forget(this);
            return Inner.DisposeAsync();
        }
    }
}
