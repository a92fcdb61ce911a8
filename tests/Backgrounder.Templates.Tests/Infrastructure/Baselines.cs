namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// Baselines/&lt;template&gt;/&lt;row&gt;/: for each template and option row, every file it scaffolds, with its
/// contents (<see cref="TemplateSnapshot"/>), so any change to a template shows in review as a diff of these files.
/// A test compares a row's scaffold with its folder; with BACKGROUNDER_UPDATE_BASELINES=1 it rewrites the folder
/// instead (<see cref="AcceptCommand"/>), deleting the files a row no longer scaffolds.
/// </summary>
public static class Baselines
{
    /// <summary>The trait every baseline test carries, so one filter runs them all.</summary>
    public const string Category = "Baselines";

    public const string AcceptCommand = "BACKGROUNDER_UPDATE_BASELINES=1 ./test.sh --filter Category=Baselines";

    public static readonly string Root = Path.Combine(Repository.Root, "tests", "Backgrounder.Templates.Tests", "Baselines");

    public static bool Updating => Environment.GetEnvironmentVariable("BACKGROUNDER_UPDATE_BASELINES") == "1";

    /// <summary>
    /// A row's folder: the name, then the options as a slug, "default" for none. The name is part of it because
    /// `-n my-app` and `-n Acme.Shop` write different identifiers: <c>my-app_default</c>, <c>Acme.Shop_store-redis</c>,
    /// <c>my-app_tests-false_no-https_exclude-launch-settings</c>.
    /// </summary>
    public static string RowFolder(string name, string options)
    {
        var segments = new List<string>();
        foreach (var token in BgwebOptions.Split(options))
        {
            if (token.StartsWith('-') || segments.Count == 0)
            {
                segments.Add(token.TrimStart('-'));
            }
            else
            {
                segments[^1] += "-" + token;
            }
        }

        var folder = $"{name}_{(segments.Count == 0 ? "default" : string.Join('_', segments))}";
        Assert.True(folder.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), $"'{folder}' is no portable folder name: give the row plainer options.");
        return folder;
    }

    /// <summary>The folders of <paramref name="template"/> that are no row's any more (a row removed or renamed).</summary>
    public static IReadOnlyList<string> StaleRowFolders(string template, TheoryData<string, string> rows)
    {
        var directory = Path.Combine(Root, template);
        var current = rows.Select(row => RowFolder((string)row[0], (string)row[1])).ToHashSet(StringComparer.Ordinal);
        return Directory.Exists(directory)
            ? [.. Directory.EnumerateDirectories(directory).Select(Path.GetFileName).OfType<string>().Where(folder => !current.Contains(folder)).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>Asserts that the scaffold is its row's baseline, file for file; when updating, makes it so.</summary>
    public static void Verify(string template, string name, string options, Scaffold scaffold)
    {
        var folder = Path.Combine(template, RowFolder(name, options));
        var directory = Path.Combine(Root, folder);
        var actual = TemplateSnapshot.Of(scaffold);
        if (Updating)
        {
            actual.WriteTo(directory);
            return;
        }

        var difference = SnapshotDiff.Describe(TemplateSnapshot.Load(directory), actual);
        Assert.True(
            difference is null,
            $"`{$"dotnet new {template} -n {name} {options}".TrimEnd()}` no longer writes its baseline, tests/Backgrounder.Templates.Tests/Baselines/{folder}/.\n"
            + $"{difference}If the change is intended, accept it and review it with git diff: {AcceptCommand}");
    }
}
