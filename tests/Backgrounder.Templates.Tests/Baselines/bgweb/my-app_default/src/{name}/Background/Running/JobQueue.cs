using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// Jobs waiting for a worker on this node, at most <see cref="BackgrounderOptions.QueueCapacity"/>: a flood of
/// requests is refused rather than queued without limit. A job canceled while it waits leaves at once, so its slot
/// is free for the next start; a job queued while a worker is idle goes straight to that worker (the channel's doing).
/// </summary>
internal sealed class JobQueue(IOptions<BackgrounderOptions> options)
{
    private readonly Channel<JobRun> _channel = Channel.CreateUnbounded<JobRun>();

    // The jobs that wait, by id: whoever removes a job from here (a worker, a cancel, shutdown) has it. The channel
    // only wakes workers; a job canceled while it waited is skipped when it comes out.
    private readonly ConcurrentDictionary<JobId, JobRun> _waiting = new();
    private int _count;
    private int _completed;
    private TaskCompletionSource? _roomWaiter;

    /// <summary>Jobs waiting, and starts that hold a slot while their job is recorded.</summary>
    public int Count => Volatile.Read(ref _count);

    private bool Completed => Volatile.Read(ref _completed) == 1;

    /// <summary>Holds a slot for a job about to be recorded; false when the queue is full or the app is stopping.</summary>
    public bool TryReserve()
    {
        if (Completed)
        {
            return false;
        }

        if (Interlocked.Increment(ref _count) > options.Value.QueueCapacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        return true;
    }

    public void ReleaseReservation()
    {
        Interlocked.Decrement(ref _count);
        Freed();
    }

    /// <summary>Free slots now: how many due jobs this node may claim.</summary>
    public int Room => Math.Max(0, options.Value.QueueCapacity - Count);

    /// <summary>
    /// Queues a due job this node has claimed (it asked for no more than <see cref="Room"/>, so a start that came
    /// meanwhile may take it past the capacity by a few); false when the app began to stop.
    /// </summary>
    public bool TryEnqueueClaimed(JobRun run)
    {
        Interlocked.Increment(ref _count);
        return TryEnqueue(run);
    }

    /// <summary>Completes when a slot frees (a worker took a job, a waiting one was canceled), or at once if one is free.</summary>
    public Task RoomAsync()
    {
        var waiter = Volatile.Read(ref _roomWaiter);
        if (waiter is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _roomWaiter, created, null) ?? created;
        }

        // Checked after the waiter is in place: a slot freed meanwhile either completes it or is seen here.
        if (Room > 0)
        {
            Interlocked.CompareExchange(ref _roomWaiter, null, waiter);
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    /// <summary>Queues a job in its reserved slot; false when the app began to stop meanwhile.</summary>
    public bool TryEnqueue(JobRun run)
    {
        _waiting[run.Id] = run;

        // Checked after the job is in: either shutdown's sweep finds it, or this sees shutdown and takes it back.
        if (Completed && TryRemove(run.Id))
        {
            return false;
        }

        _channel.Writer.TryWrite(run);
        return true;
    }

    /// <summary>Takes a waiting job out of the queue, freeing its slot; false when no job with that id waits here.</summary>
    public bool TryRemove(JobId id) => TryRemove(id, out _);

    /// <summary>Takes a waiting job out of the queue, freeing its slot, and hands it back; false when none waits here.</summary>
    public bool TryRemove(JobId id, [NotNullWhen(true)] out JobRun? run)
    {
        if (!_waiting.TryRemove(id, out run))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        Freed();
        return true;
    }

    /// <summary>The next job, waiting for one to come; null once the queue is completed.</summary>
    public async ValueTask<JobRun?> DequeueAsync(CancellationToken cancellationToken)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellationToken))
        {
            while (!Completed && _channel.Reader.TryRead(out var run))
            {
                if (TryRemove(run.Id))
                {
                    return run;
                }
            }

            if (Completed)
            {
                break;
            }
        }

        return null;
    }

    private void Freed() => Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();

    /// <summary>Refuses every later start, lets idle workers go, and hands back what still waits: shutdown cancels it.</summary>
    public IReadOnlyList<JobRun> Complete()
    {
        Interlocked.Exchange(ref _completed, 1);
        _channel.Writer.TryComplete();
        return [.. _waiting.Values.Where(run => TryRemove(run.Id))];
    }
}
