using System.Text;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// What differs between a baseline and a scaffold, short enough to read in a test failure: each file that differs,
/// is missing or is new, by name, and for a changed file its first differing line, with its number, from both
/// sides. The whole diff is for git: accept the change, then read <c>git diff</c>.
/// </summary>
public static class SnapshotDiff
{
    private const int MaxFiles = 20;
    private const int MaxLineLength = 200;

    /// <summary>Null when both hold the same files with the same text.</summary>
    public static string? Describe(TemplateSnapshot expected, TemplateSnapshot actual)
    {
        var entries = new List<string>();
        foreach (var path in expected.Files.Keys.Union(actual.Files.Keys).Order(StringComparer.Ordinal))
        {
            var inBaseline = expected.Files.TryGetValue(path, out var baseline);
            var inScaffold = actual.Files.TryGetValue(path, out var scaffold);
            if (!inScaffold)
            {
                entries.Add($"  missing  {path}: in the baseline, no longer scaffolded");
            }
            else if (!inBaseline)
            {
                entries.Add($"  new      {path}: scaffolded, not in the baseline ({Count(Lines(scaffold!))} lines)");
            }
            else if (baseline != scaffold)
            {
                entries.Add($"  changed  {path}: {FirstDifference(baseline!, scaffold!)}");
            }
        }

        if (entries.Count == 0)
        {
            return null;
        }

        var message = new StringBuilder($"{entries.Count} file(s) differ from the baseline:\n");
        foreach (var entry in entries.Take(MaxFiles))
        {
            message.Append(entry).Append('\n');
        }

        if (entries.Count > MaxFiles)
        {
            message.Append($"  … and {entries.Count - MaxFiles} more\n");
        }

        return message.ToString();
    }

    private static string FirstDifference(string baseline, string scaffold)
    {
        var expected = Lines(baseline);
        var actual = Lines(scaffold);
        var index = 0;
        while (index < expected.Length && index < actual.Length && expected[index] == actual[index])
        {
            index++;
        }

        return $"first difference at line {index + 1} (the baseline has {Count(expected)} lines, the scaffold {Count(actual)})\n"
            + $"             baseline: {Show(expected, index)}\n"
            + $"             scaffold: {Show(actual, index)}";
    }

    /// <summary>Split on LF only, so a stray CR shows instead of vanishing; "a\n" is "a" and "".</summary>
    private static string[] Lines(string text) => text.Split('\n');

    // A text ending in a newline has an empty last element, which is no line of its own.
    private static int Count(string[] lines) => lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;

    private static string Show(string[] lines, int index)
    {
        if (index >= lines.Length)
        {
            return "(end of file, without a newline after the last line)";
        }

        if (index == lines.Length - 1 && lines[index].Length == 0)
        {
            return "(end of file)";
        }

        // Control characters a diff would hide show as their Unicode pictures: ␍ for a CR, ␉ for a tab.
        var line = lines[index].Replace('\r', '\u240D').Replace('\t', '\u2409');
        return line.Length > MaxLineLength ? $"`{line[..MaxLineLength]}` … ({line.Length} characters)" : $"`{line}`";
    }
}
