using System.Text;

namespace Acme.Shop.Background;

/// <summary>
/// Lines on their way to Redis, cut into script calls of at most a few hundred lines or 64 KB (one longer line goes
/// alone): Redis runs one script at a time, so one chatty job's batch never holds every other node for long.
/// </summary>
internal static class RedisLineBatches
{
    public const int MaxLines = 256;
    public const int MaxBytes = 64 * 1024;

    public static IEnumerable<JobLines> Of(JobLines lines)
    {
        var (start, bytes) = (0, 0);
        for (var i = 0; i < lines.Lines.Count; i++)
        {
            var size = Encoding.UTF8.GetByteCount(lines.Lines[i]);
            if (i > start && (i - start == MaxLines || bytes + size > MaxBytes))
            {
                yield return new JobLines(lines.First + start, [.. lines.Lines.Skip(start).Take(i - start)]);
                (start, bytes) = (i, 0);
            }

            bytes += size;
        }

        yield return start == 0 ? lines : new JobLines(lines.First + start, [.. lines.Lines.Skip(start)]);
    }
}
