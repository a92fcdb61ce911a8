using System.Text;

namespace Acme.Shop.Background;

/// <summary>
/// The newest lines of one job's output within a line and a byte limit, in a ring over an array that grows as lines
/// come. Dropped lines keep their numbers: <see cref="First"/> is the oldest kept, so readers resume from any line.
/// </summary>
internal sealed class LineRing(int maxLines, long maxBytes)
{
    private string[] _lines = [];
    private int _head;
    private int _count;
    private long _bytes;

    /// <summary>Lines written so far, dropped ones included: the number the next line gets.</summary>
    public long Written { get; private set; }

    /// <summary>The number of the oldest kept line: as many lines were dropped before it.</summary>
    public long First => Written - _count;

    public bool IsEmpty => _count == 0;

    /// <summary>Numbers the next line <paramref name="line"/>, as if as many had been written and let go.</summary>
    public void StartAt(long line)
    {
        DiscardBefore(Written);
        Written = Math.Max(Written, line);
    }

    public void Add(string line)
    {
        if (_count == maxLines)
        {
            DropOldest();
        }

        if (_count == _lines.Length)
        {
            Grow();
        }

        _lines[(_head + _count) % _lines.Length] = line;
        _count++;
        Written++;
        _bytes += Encoding.UTF8.GetByteCount(line);

        // The newest line always stays: MaxLineLength bounds it.
        while (_bytes > maxBytes && _count > 1)
        {
            DropOldest();
        }
    }

    /// <summary>
    /// Adds lines numbered by their writer: those kept or dropped already are ignored (a retried call), and a gap
    /// before them counts as dropped. Lines in a gap are newer than every kept line, so those go too.
    /// </summary>
    public void Append(JobLines lines)
    {
        if (lines.First > Written)
        {
            DiscardBefore(Written);
            Written = lines.First;
        }

        for (var i = (int)Math.Max(0, Written - lines.First); i < lines.Lines.Count; i++)
        {
            Add(lines.Lines[i]);
        }
    }

    /// <summary>The kept lines numbered <paramref name="from"/> or later.</summary>
    public JobLines Read(long from)
    {
        var start = Math.Clamp(from, First, Written);
        if (start == Written)
        {
            return new JobLines(start, []);
        }

        var lines = new string[Written - start];
        var offset = _head + (int)(start - First);
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = _lines[(offset + i) % _lines.Length];
        }

        return new JobLines(start, lines);
    }

    /// <summary>Lets go of the lines numbered below <paramref name="number"/>.</summary>
    public void DiscardBefore(long number)
    {
        while (_count > 0 && First < number)
        {
            DropOldest();
        }
    }

    private void DropOldest()
    {
        _bytes -= Encoding.UTF8.GetByteCount(_lines[_head]);
        _lines[_head] = null!;
        _head = (_head + 1) % _lines.Length;
        _count--;
    }

    private void Grow()
    {
        var capacity = Math.Min(Math.Max(4, _lines.Length * 2), maxLines);
        var lines = new string[capacity];
        for (var i = 0; i < _count; i++)
        {
            lines[i] = _lines[(_head + i) % _lines.Length];
        }

        (_lines, _head) = (lines, 0);
    }
}
