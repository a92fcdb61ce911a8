using System.Text;

namespace my_app.Background;

/// <summary>
/// Turns what a job writes into lines of at most <see cref="BackgrounderOptions.MaxLineLength"/> characters: longer
/// lines are cut there and marked with <see cref="CutMark"/>, console text ends lines at its line breaks, and a partial
/// line waits for the rest. Not thread-safe: <see cref="JobOutput"/> calls it under its own lock.
/// </summary>
internal sealed class LineAssembler(LineRing lines, int maxLineLength)
{
    /// <summary>Ends a line cut at <see cref="BackgrounderOptions.MaxLineLength"/>; the rest follows on the next line.</summary>
    public const string CutMark = "…";

    // Made on the first partial line only: most jobs write whole lines.
    private StringBuilder? _partialLine;

    /// <summary>A whole line, whatever line breaks it holds.</summary>
    public void AddLine(string line)
    {
        while (line.Length > maxLineLength)
        {
            var cut = CutLength(line);
            lines.Add(line[..cut] + CutMark);
            line = line[cut..];
        }

        lines.Add(line);
    }

    /// <summary>Console text: each line break ends a line; <paramref name="endLine"/> ends the last one too.</summary>
    public void AddText(ReadOnlySpan<char> text, bool endLine)
    {
        int newline;
        while ((newline = text.IndexOf('\n')) >= 0)
        {
            AppendPartial(text[..newline]);
            EndLine();
            text = text[(newline + 1)..];
        }

        AppendPartial(text);
        if (endLine)
        {
            EndLine();
        }
    }

    /// <summary>A partial line the job never ended becomes a line of its own.</summary>
    public void EndPartialLine()
    {
        if (_partialLine is { Length: > 0 })
        {
            EndLine();
        }
    }

    private void AppendPartial(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var partial = _partialLine ??= new StringBuilder();
        partial.Append(text);

        // Console.Write(".") a million times: shown in pieces of MaxLineLength, never buffered without limit.
        while (partial.Length > maxLineLength)
        {
            var cut = CutLength(partial.ToString(0, maxLineLength));
            lines.Add(partial.ToString(0, cut) + CutMark);
            partial.Remove(0, cut);
        }
    }

    private void EndLine()
    {
        if (_partialLine is not { Length: > 0 } partial)
        {
            lines.Add(string.Empty);
            return;
        }

        if (partial[^1] == '\r')
        {
            partial.Length--;
        }

        lines.Add(partial.ToString());
        partial.Clear();
    }

    /// <summary>Where to cut a line that is too long: at the limit, but never between the halves of a surrogate pair.</summary>
    private int CutLength(string line) =>
        char.IsHighSurrogate(line[maxLineLength - 1]) ? maxLineLength - 1 : maxLineLength;
}
