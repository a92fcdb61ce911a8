using System.Text.RegularExpressions;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// The options `dotnet new TEMPLATE --help` lists: those every template has (section "Options:") and the
/// template's own (section "Template options:"), each with its aliases, its default and, for a choice, its values.
/// </summary>
public static partial class TemplateHelp
{
    private const string CommonSection = "Options:";
    private const string TemplateSection = "Template options:";

    public static IReadOnlyList<HelpOption> Parse(string help)
    {
        var options = new List<Entry>();
        string? section = null;
        Entry? current = null;
        int? choiceIndent = null;

        foreach (var line in help.ReplaceLineEndings("\n").Split('\n'))
        {
            // Headings start at column 0; an option's lines are indented, its wrapped text more so.
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                section = line.TrimEnd();
                current = null;
                continue;
            }

            if (section is not (CommonSection or TemplateSection))
            {
                continue;
            }

            var option = OptionLine().Match(line);
            if (option.Success)
            {
                current = new Entry(option.Groups["aliases"].Value.Split(", "), section == TemplateSection);
                options.Add(current);
                choiceIndent = null;
                continue;
            }

            if (current is null)
            {
                continue;
            }

            var text = line.Trim();
            var indent = line.Length - line.TrimStart().Length;
            if (text == "Type: choice")
            {
                // Each value sits two columns right of "Type:"; a value's wrapped description sits further right.
                choiceIndent = indent + 2;
            }
            else if (text.StartsWith("Default: ", StringComparison.Ordinal))
            {
                current.Default = text["Default: ".Length..];
                choiceIndent = null;
            }
            else if (indent == choiceIndent && text.Length > 0)
            {
                current.Choices.Add(text.Split(' ')[0]);
            }
        }

        Assert.Contains(options, candidate => candidate.IsTemplateOption);
        return [.. options.Select(entry => new HelpOption(
            entry.Aliases.ToHashSet(StringComparer.Ordinal), entry.IsTemplateOption, entry.Default, entry.Choices))];
    }

    private sealed class Entry(string[] aliases, bool isTemplateOption)
    {
        public string[] Aliases { get; } = aliases;

        public bool IsTemplateOption { get; } = isTemplateOption;

        public string? Default { get; set; }

        public List<string> Choices { get; } = [];
    }

    // "  -f, --framework <net10.0>  The target…" or "  --tests  Whether…": aliases, then an optional <value>.
    [GeneratedRegex(@"^  (?<aliases>-[^\s,]+(?:, -[^\s,]+)*)(?: <[^>]*>)?(?:\s|$)")]
    private static partial Regex OptionLine();
}

public sealed record HelpOption(IReadOnlySet<string> Aliases, bool IsTemplateOption, string? Default, IReadOnlyList<string> Choices)
{
    public override string ToString() => string.Join(", ", Aliases);
}
