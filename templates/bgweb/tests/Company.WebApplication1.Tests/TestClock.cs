using Microsoft.Extensions.Time.Testing;

namespace Company.WebApplication1.Tests;

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

    private void Track(TrackedTimer timer, bool pending)
    {
        lock (_gate)
        {
            if (pending)
            {
                _pending.Add(timer);
                _armed.TrySetResult();
                _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                _pending.Remove(timer);
            }
        }
    }

    private sealed class TrackedTimer(TestClock clock, TimeSpan period) : ITimer
    {
        private TimeSpan _period = period;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset Due { get; private set; }

        public void Arm(TimeSpan dueTime)
        {
            var pending = dueTime != Timeout.InfiniteTimeSpan;
            Due = pending ? clock.GetUtcNow() + dueTime : DateTimeOffset.MaxValue;
            clock.Track(this, pending);
        }

        public void Fired() => Arm(_period);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            Arm(dueTime);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Track(this, pending: false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Track(this, pending: false);
            return Inner.DisposeAsync();
        }
    }
}
