namespace my_app.Background;

/// <summary>
/// The in-memory store's scheduled jobs by due time. A job canceled (or claimed and scheduled again) keeps its old place
/// until it would be due, and is then skipped: the queue never searches for a job to take it out.
/// </summary>
internal sealed class InMemoryDueJobs
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<InMemoryJobEntry, DateTimeOffset> _due = new();

    public void Add(InMemoryJobEntry entry, DateTimeOffset runAt)
    {
        lock (_gate)
        {
            _due.Enqueue(entry, runAt);
        }
    }

    /// <summary>
    /// At most <paramref name="most"/> jobs of <paramref name="names"/> due by <paramref name="now"/>, earliest first,
    /// each now Queued on <paramref name="node"/>; and when the next of those names is due.
    /// </summary>
    public (IReadOnlyList<JobStatus> Claimed, DateTimeOffset? NextDue) Claim(IReadOnlyCollection<string> names, int most, DateTimeOffset now, string node)
    {
        var claimed = new List<JobStatus>();
        var notOurs = new List<(InMemoryJobEntry Entry, DateTimeOffset RunAt)>();
        DateTimeOffset? nextDue = null;
        lock (_gate)
        {
            while (_due.TryPeek(out var entry, out var runAt))
            {
                if (entry.State != JobState.Scheduled || entry.RunAt != runAt)
                {
                    // Canceled, claimed, or due at another time now: this place in the queue is stale.
                    _due.Dequeue();
                    continue;
                }

                if (!names.Contains(entry.Name))
                {
                    notOurs.Add((entry, runAt));
                    _due.Dequeue();
                    continue;
                }

                if (runAt > now || claimed.Count == most)
                {
                    nextDue = runAt;
                    break;
                }

                _due.Dequeue();
                if (entry.TryClaim(node))
                {
                    claimed.Add(entry.Read());
                }
            }

            foreach (var (entry, runAt) in notOurs)
            {
                _due.Enqueue(entry, runAt);
            }
        }

        return (claimed, nextDue);
    }
}
