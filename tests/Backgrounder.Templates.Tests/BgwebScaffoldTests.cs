using System.Text.RegularExpressions;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>`dotnet new bgweb` with names that differ between their raw, path and identifier forms.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class BgwebScaffoldTests(TemplatePackFixture pack)
{
    [Theory]
    [InlineData("my-app", "my_app")]
    [InlineData("Acme.Shop", "Acme.Shop")]
    public async Task Writes_the_solution_layout_with_paths_in_the_raw_name(string name, string rootNamespace)
    {
        var scaffold = await pack.BuiltAsync(name);
        var files = scaffold.Files();

        Assert.Contains($"{name}.slnx", files);
        Assert.Contains("README.md", files);
        Assert.Contains(".gitignore", files);
        Assert.Contains($"src/{name}/{name}.csproj", files);
        Assert.Contains($"tests/{name}.Tests/{name}.Tests.csproj", files);
        Assert.Contains($"src/{name}/Background/Storage/JobCleanupService.cs", files);
        Assert.Contains($"src/{name}/Endpoints/IndexHandler.cs", files);
        Assert.Contains($"src/{name}/Endpoints/ThreadDbViewer.cs", files);
        Assert.Contains($"src/{name}/Jobs/LongRunning.cs", files);

        var solution = scaffold.Read($"{name}.slnx");
        Assert.Contains($"Path=\"src/{name}/{name}.csproj\"", solution);
        Assert.Contains($"Path=\"tests/{name}.Tests/{name}.Tests.csproj\"", solution);
        Assert.Contains($"namespace {rootNamespace}.Background;", scaffold.Read($"src/{name}/Background/Storage/JobCleanupService.cs"));
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Every_code_file_of_the_app_holds_one_concern_in_at_most_300_lines(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));

        var code = scaffold.Files().Where(file => file.StartsWith($"src/{name}/", StringComparison.Ordinal) && file.EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(code);
        foreach (var file in code)
        {
            var lines = File.ReadLines(Path.Combine(scaffold.Root, file)).Count();
            Assert.True(lines <= 300, $"{file} has {lines} lines: split it by concern.");
        }

        // One namespace across Background/'s folders, so public type names and the meter's name stay as documented.
        var background = code.Where(file => file.StartsWith($"src/{name}/Background/", StringComparison.Ordinal)).ToList();
        Assert.Contains(background, file => file.Count(c => c == '/') > 3);
        Assert.All(background, file => Assert.Contains($"namespace {Identifier(name)}.Background;", scaffold.Read(file)));
    }

    private static string Identifier(string name) => name.Replace('-', '_');

    [Theory]
    [InlineData("my-app")]
    [InlineData("Acme.Shop")]
    public async Task The_generated_tests_pass(string name)
    {
        var scaffold = await pack.BuiltAsync(name);

        var test = (await DotNet.RunAsync(scaffold.Root, "test", "--no-build")).EnsureSuccess();

        Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+[1-9]", test.Output);
    }

    [Theory]
    [InlineData("my-app")]
    [InlineData("Acme.Shop")]
    public async Task Settings_section_and_endpoints_keep_their_names_whatever_the_project_name(string name)
    {
        var scaffold = await pack.BuiltAsync(name);

        Assert.Contains("\"Backgrounder\": {", scaffold.Read($"src/{name}/appsettings.json"));
        Assert.Contains("SectionName = \"Backgrounder\"", scaffold.Read($"src/{name}/Background/BackgrounderOptions.cs"));
        Assert.Contains("Path = \"/threaddb\"", scaffold.Read($"src/{name}/Endpoints/ThreadDbViewer.cs"));
        Assert.Contains("JobIdParameter = \"_t\"", scaffold.Read($"src/{name}/Background/Web/BackgrounderFilter.cs"));
    }

    [Theory]
    [InlineData("my-app")]
    [InlineData("Acme.Shop")]
    public async Task The_generated_readme_gives_commands_for_this_name(string name)
    {
        var readme = (await pack.BuiltAsync(name)).Read("README.md");

        Assert.Contains($"dotnet run --project src/{name}", readme);
        Assert.Contains($"dotnet test {name}.slnx", readme);
        Assert.DoesNotContain("Company.WebApplication1", readme);
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Every_namespace_starts_with_the_projects_name(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));
        var rootNamespace = name.Replace('-', '_');

        foreach (var file in scaffold.Files().Where(file => file.EndsWith(".cs", StringComparison.Ordinal)))
        {
            foreach (Match match in NamespaceDeclaration().Matches(scaffold.Read(file)))
            {
                Assert.True(
                    match.Groups[1].Value == rootNamespace || match.Groups[1].Value.StartsWith(rootNamespace + ".", StringComparison.Ordinal),
                    $"{file}: namespace {match.Groups[1].Value} is outside {rootNamespace}.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task No_template_placeholder_or_directive_survives_scaffolding(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));

        foreach (var file in scaffold.Files())
        {
            Assert.DoesNotContain("Company.WebApplication1", scaffold.Read(file));
            Assert.DoesNotContain("#if", scaffold.Read(file));
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
