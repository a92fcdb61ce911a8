using System.Text.Json;
using System.Text.RegularExpressions;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// What Visual Studio and the template engine need from .template.config, checked in the files themselves —
/// the checks Microsoft.TemplateEngine.Authoring.Tasks would make, which is not available here.
/// </summary>
public sealed class TemplateConfigTests
{
    public static TheoryData<string> Templates => new() { "bgweb", "bgjob" };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Tags_name_the_language_and_a_type_so_Visual_Studio_shows_the_template(string template)
    {
        var tags = Config(template, "template.json").GetProperty("tags");

        Assert.Equal("C#", tags.GetProperty("language").GetString());
        Assert.Contains(tags.GetProperty("type").GetString(), new[] { "project", "item" });
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void The_icon_exists_and_is_a_png(string template)
    {
        var icon = Config(template, "ide.host.json").GetProperty("icon").GetString()!;
        var bytes = File.ReadAllBytes(Path.Combine(Repository.Template(template), ".template.config", icon));

        Assert.True(bytes is [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..], $"{icon} is not a PNG.");
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_user_facing_symbol_is_visible_in_the_ide_and_remembered(string template)
    {
        var ideSymbols = Config(template, "ide.host.json").GetProperty("symbolInfo").EnumerateArray()
            .ToDictionary(symbol => symbol.GetProperty("id").GetString()!);

        foreach (var symbol in UserFacingSymbols(template))
        {
            Assert.True(ideSymbols.TryGetValue(symbol, out var info), $"{template}: {symbol} is missing from ide.host.json.");
            Assert.True(info.GetProperty("isVisible").GetBoolean(), $"{template}: {symbol} is hidden in the IDE.");
            Assert.True(info.TryGetProperty("persistenceScope", out _), $"{template}: {symbol} has no persistenceScope.");
        }
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_localizable_string_is_in_the_english_strings_and_matches_template_json(string template)
    {
        var config = Config(template, "template.json");
        var strings = Config(template, Path.Combine("localize", "templatestrings.en.json")).EnumerateObject()
            .ToDictionary(entry => entry.Name, entry => entry.Value.GetString());
        var expected = new Dictionary<string, string?>
        {
            ["author"] = config.GetProperty("author").GetString(),
            ["name"] = config.GetProperty("name").GetString(),
            ["description"] = config.GetProperty("description").GetString(),
        };
        foreach (var symbol in config.GetProperty("symbols").EnumerateObject().Where(s => IsParameter(s.Value)))
        {
            foreach (var field in new[] { "displayName", "description" })
            {
                if (symbol.Value.TryGetProperty(field, out var text))
                {
                    expected[$"symbols/{symbol.Name}/{field}"] = text.GetString();
                }
            }

            foreach (var choice in symbol.Value.TryGetProperty("choices", out var choices) ? choices.EnumerateArray() : default)
            {
                foreach (var field in new[] { "displayName", "description" })
                {
                    if (choice.TryGetProperty(field, out var text))
                    {
                        expected[$"symbols/{symbol.Name}/choices/{choice.GetProperty("choice").GetString()}/{field}"] = text.GetString();
                    }
                }
            }
        }

        foreach (var action in config.TryGetProperty("postActions", out var actions) ? actions.EnumerateArray() : default)
        {
            var id = action.GetProperty("id").GetString();
            expected[$"postActions/{id}/description"] = action.GetProperty("description").GetString();
            foreach (var instruction in action.GetProperty("manualInstructions").EnumerateArray())
            {
                var key = instruction.TryGetProperty("id", out var instructionId) ? instructionId.GetString() : "default";
                expected[$"postActions/{id}/manualInstructions/{key}/text"] = instruction.GetProperty("text").GetString();
            }
        }

        Assert.Equal(expected.OrderBy(e => e.Key), strings.OrderBy(e => e.Key));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_user_facing_option_has_a_kebab_case_cli_name_and_a_description_in_sentences(string template)
    {
        var cli = Config(template, "dotnetcli.host.json").GetProperty("symbolInfo");
        var symbols = Config(template, "template.json").GetProperty("symbols");

        foreach (var symbol in UserFacingSymbols(template))
        {
            // --help and Visual Studio show it under the option: whole sentences read best there.
            var description = symbols.GetProperty(symbol).GetProperty("description").GetString() ?? "";
            Assert.True(Regex.IsMatch(description, @"^[A-Z].*\.$"), $"{template}: {symbol}'s description is not a sentence: '{description}'");
            if (symbol != "Framework")
            {
                Assert.Matches("^[a-z]+(-[a-z]+)*$", cli.GetProperty(symbol).GetProperty("longName").GetString());
            }
        }
    }

    [Fact]
    public void Bgweb_restores_through_a_post_action_with_an_id_and_names_its_projects_as_primary_outputs()
    {
        var config = Config("bgweb", "template.json");

        var restore = Assert.Single(config.GetProperty("postActions").EnumerateArray(), action => action.GetProperty("actionId").GetString() == RestoreActionId);
        Assert.Equal("restore", restore.GetProperty("id").GetString());
        Assert.Equal("(!skipRestore)", restore.GetProperty("condition").GetString());
        Assert.Equal(
            ["src/Company.WebApplication1/Company.WebApplication1.csproj", "tests/Company.WebApplication1.Tests/Company.WebApplication1.Tests.csproj"],
            PrimaryOutputs(config).Select(output => output.Path).Where(path => path.EndsWith(".csproj", StringComparison.Ordinal)));
    }

    [Fact]
    public void Only_project_files_reach_the_clis_restore()
    {
        // The CLI's restore post action restores every primary output it is given: handed Program.cs and
        // README.md it tries both as projects and fails (MSB4025). Files for the editor are for other hosts only.
        foreach (var output in PrimaryOutputs(Config("bgweb", "template.json")).Where(output => !output.Path.EndsWith(".csproj", StringComparison.Ordinal)))
        {
            Assert.True(output.Condition == NotTheCli, $"{output.Path} would reach the CLI's restore; condition: {output.Condition}");
        }
    }

    [Theory]
    [InlineData("bgweb", new[] { "src/Company.WebApplication1/Program.cs", "README.md" })]
    [InlineData("bgjob", new[] { "Jobs/BackgroundJob1.cs" })]
    public void Hosts_other_than_the_cli_open_the_files_to_read_first_in_the_editor(string template, string[] files)
    {
        var config = Config(template, "template.json");
        var symbols = config.GetProperty("symbols");
        Assert.Equal("host:HostIdentifier", symbols.GetProperty("HostIdentifier").GetProperty("binding").GetString());

        var open = Assert.Single(config.GetProperty("postActions").EnumerateArray(), action => action.GetProperty("actionId").GetString() == OpenInEditorActionId);
        Assert.Equal(NotTheCli, open.GetProperty("condition").GetString());
        Assert.True(open.GetProperty("continueOnError").GetBoolean());
        // No manual instructions: a host that cannot open files has nothing for the user to do instead.
        Assert.Empty(open.GetProperty("manualInstructions").EnumerateArray());

        // The indexes count the primary outputs the host keeps: every one before them must be kept by any host
        // that runs this action, whatever the options, or an index would point at another file.
        var indexes = open.GetProperty("args").GetProperty("files").GetString()!.Split(';').Select(int.Parse).ToList();
        var outputs = PrimaryOutputs(config);
        Assert.All(outputs.Take(indexes.Max() + 1), output => Assert.True(output.Condition is null or NotTheCli, $"{output.Path} is kept only when {output.Condition}."));
        Assert.Equal(files, indexes.Select(index => outputs[index].Path));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void The_template_needs_a_dotnet_10_sdk_or_later(string template)
    {
        var constraints = Config(template, "template.json").GetProperty("constraints").EnumerateObject().Select(entry => entry.Value);

        var sdk = Assert.Single(constraints, constraint => constraint.GetProperty("type").GetString() == "sdk-version");
        Assert.Equal("[10.0.100,)", sdk.GetProperty("args").GetString());
    }

    private const string RestoreActionId = "210D431B-A78B-4D2F-B762-4ED3E3EA9025";
    private const string OpenInEditorActionId = "84C0DA21-51C8-4541-9940-6CA19AF04EE6";

    /// <summary>True in Visual Studio and every host but the dotnet CLI, whose HostIdentifier is dotnetcli.</summary>
    private const string NotTheCli = "(HostIdentifier != \"dotnetcli\" && HostIdentifier != \"dotnetcli-preview\")";

    private static IReadOnlyList<(string Path, string? Condition)> PrimaryOutputs(JsonElement config) =>
        [.. config.GetProperty("primaryOutputs").EnumerateArray().Select(output => (
            output.GetProperty("path").GetString()!,
            output.TryGetProperty("condition", out var condition) ? condition.GetString() : null))];

    /// <summary>Parameters a user sets: all but those the CLI hides (the port numbers).</summary>
    private static IEnumerable<string> UserFacingSymbols(string template)
    {
        var cli = Config(template, "dotnetcli.host.json").GetProperty("symbolInfo");
        return Config(template, "template.json").GetProperty("symbols").EnumerateObject()
            .Where(symbol => IsParameter(symbol.Value))
            .Where(symbol => !(cli.TryGetProperty(symbol.Name, out var info) && info.TryGetProperty("isHidden", out var hidden) && hidden.GetBoolean()))
            .Select(symbol => symbol.Name);
    }

    private static bool IsParameter(JsonElement symbol) => symbol.GetProperty("type").GetString() == "parameter";

    private static JsonElement Config(string template, string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Template(template), ".template.config", file))).RootElement;
}
