namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>The checkout's README.md, read as a newcomer reads it: by section and command.</summary>
public static class Readme
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
}
