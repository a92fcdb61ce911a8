using System.Text.RegularExpressions;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>The checkout's README.md, read as a newcomer reads it: by section, command and table row.</summary>
public static partial class Readme
{
    public static string Path { get; } = System.IO.Path.Combine(Repository.Root, "README.md");

    /// <summary>The lines under the level-2 heading that starts with <paramref name="headingStart"/>, up to the next level-2 heading.</summary>
    public static IReadOnlyList<string> Section(string headingStart)
    {
        var lines = File.ReadAllLines(Path);
        var start = Array.FindIndex(lines, line => line.StartsWith(headingStart, StringComparison.Ordinal));
        Assert.True(start >= 0, $"README.md has no section '{headingStart}'.");
        var end = Array.FindIndex(lines, start + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        return lines[(start + 1)..(end < 0 ? lines.Length : end)];
    }

    /// <summary>What a reader would type from the section: the lines of its fenced code blocks, less blanks and comments.</summary>
    public static IReadOnlyList<string> Commands(IReadOnlyList<string> section)
    {
        var commands = new List<string>();
        var inBlock = false;
        foreach (var line in section)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
            }
            else if (inBlock && line.Trim() is { Length: > 0 } command && !command.StartsWith('#'))
            {
                commands.Add(command);
            }
        }

        return commands;
    }

    /// <summary>The option rows of the section's table (header and separator left out).</summary>
    public static IReadOnlyList<OptionRow> OptionRows(IReadOnlyList<string> section) =>
        [.. section
            .Where(line => line.StartsWith('|'))
            .Skip(2)
            .Select(line => OptionRow.Parse(line))];

    /// <summary>One row of an options table: | `-f`, `--framework` | `net10.0` | Effect |.</summary>
    public sealed record OptionRow(IReadOnlySet<string> Aliases, string? Default, string Line)
    {
        public static OptionRow Parse(string line)
        {
            var cells = UnescapedPipe().Split(line.Trim().Trim('|')).Select(cell => cell.Trim()).ToList();
            var aliases = CodeSpan().Matches(cells[0]).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            Assert.True(aliases.Count > 0, $"README.md: the row names no option in code: {line}");

            // A default cell that is one code span states a literal default; prose ("folder name") describes one.
            var literal = LoneCodeSpan().Match(cells[1]);
            return new OptionRow(aliases, literal.Success ? literal.Groups[1].Value : null, line);
        }

        public override string ToString() => Line;
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^`([^`]+)`$")]
    private static partial Regex LoneCodeSpan();
}
