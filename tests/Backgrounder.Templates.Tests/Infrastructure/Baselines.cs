using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// Baselines/template-baselines.json: for each template and option row, exactly the files scaffolded,
/// with the project name written as {name}. Set BACKGROUNDER_UPDATE_BASELINES=1 to rewrite it from a run.
/// </summary>
public static class Baselines
{
    private static readonly string FilePath = Path.Combine(Repository.Root, "tests", "Backgrounder.Templates.Tests", "Baselines", "template-baselines.json");
    private static readonly Lock Gate = new();

    public static bool Updating => Environment.GetEnvironmentVariable("BACKGROUNDER_UPDATE_BASELINES") == "1";

    public static IReadOnlyList<string>? Expected(string template, string options)
    {
        lock (Gate)
        {
            var files = Load()[template]?[options]?.AsArray();
            return files?.Select(file => file!.GetValue<string>()).ToList();
        }
    }

    public static void Record(string template, string options, IEnumerable<string> files)
    {
        lock (Gate)
        {
            var root = Load();
            var entries = root[template] as JsonObject ?? [];
            root[template] = entries;
            entries[options] = new JsonArray([.. files.Select(file => JsonValue.Create(file))]);
            File.WriteAllText(FilePath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
    }

    private static JsonObject Load() => JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject();
}
