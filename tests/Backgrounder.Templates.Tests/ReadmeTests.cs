using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// README says what a newcomer types and what each option does; these tests keep it true. Its option tables list
/// every option of the template's own ("Template options:" in --help) with the same default, and may list some that
/// every template has (such as -n), but nothing --help does not know.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class ReadmeTests(TemplatePackFixture pack)
{
    public static TheoryData<string, string> OptionTables => new()
    {
        { "bgweb", "## `dotnet new bgweb` options" },
        { "bgjob", "## `dotnet new bgjob`" },
    };

    [Fact]
    public void Quick_start_has_two_commands_one_that_runs_the_sample_app_and_one_that_runs_every_test()
    {
        var commands = Readme.Commands(Readme.Section("## Quick start"));

        Assert.Equal(2, commands.Count);
        Assert.Contains("dotnet new bgweb", commands[0]);
        Assert.Contains("dotnet run", commands[0]);
        Assert.Equal("./test.sh", commands[1]);
    }

    [Fact]
    public void Ci_runs_the_quick_starts_test_command()
    {
        var testCommand = Readme.Commands(Readme.Section("## Quick start"))[^1];
        var ci = File.ReadAllLines(Path.Combine(Repository.Root, ".ci", "run"))
            .Select(line => line.Trim())
            .Where(line => !line.StartsWith('#'));

        // CI adds its logger arguments; the command itself, and so what it installs first, is README's.
        Assert.Contains(ci, line => line == testCommand || line.StartsWith(testCommand + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_test_command_is_an_executable_script_that_runs_every_test_of_the_solution()
    {
        var script = Path.Combine(Repository.Root, "test.sh");

        // A fresh clone takes the mode git recorded: README's `./test.sh` only works if that says executable.
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), "test.sh is not executable: git update-index --chmod=+x test.sh");
        Assert.Contains("dotnet test Backgrounder.Templates.slnx \"$@\"", File.ReadAllText(script));
    }

    [Theory]
    [MemberData(nameof(OptionTables))]
    public async Task Every_template_option_in_help_has_a_row_with_the_same_default(string template, string heading)
    {
        var help = await HelpAsync(template);
        var rows = Readme.OptionRows(Readme.Section(heading));

        foreach (var option in help.Where(option => option.IsTemplateOption))
        {
            var row = rows.SingleOrDefault(row => row.Aliases.SetEquals(option.Aliases));
            Assert.True(row is not null, $"README's {template} table has no row for {option} (or names it differently).");
            Assert.True(option.Default == row.Default, $"{option}: --help says default {option.Default ?? "(none)"}, README {row.Default ?? "(prose)"}:\n{row}");

            // A choice's values are what a reader needs most: each one appears in its row, in code.
            foreach (var choice in option.Choices)
            {
                Assert.True(row.Line.Contains($"`{choice}`", StringComparison.Ordinal), $"{option}: README does not name the choice `{choice}`:\n{row}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OptionTables))]
    public async Task Every_row_of_the_option_table_is_an_option_of_help(string template, string heading)
    {
        var help = await HelpAsync(template);

        foreach (var row in Readme.OptionRows(Readme.Section(heading)))
        {
            Assert.True(help.Any(option => option.Aliases.SetEquals(row.Aliases)), $"`dotnet new {template} --help` has no option {string.Join(", ", row.Aliases)}:\n{row}");
        }
    }

    [Fact]
    public void The_Faults_table_names_every_test_of_RedisFaultTests_and_only_those()
    {
        var section = Readme.Section("## Scale out on Redis");
        var table = section.SkipWhile(line => line != "### Faults").Where(line => line.StartsWith('|')).Skip(2).ToList();
        Assert.True(table.Count > 0, "README's Scale out on Redis section has no Faults table.");
        var named = table
            .SelectMany(row => System.Text.RegularExpressions.Regex.Matches(row.Split('|')[^2], "`(\\w+)`").Select(match => match.Groups[1].Value))
            .ToList();
        var tests = typeof(RedisFaultTests).GetMethods()
            .Where(method => method.GetCustomAttributes(typeof(FactAttribute), inherit: true).Length > 0)
            .Select(method => method.Name)
            .ToList();

        Assert.Equal(tests.Order(StringComparer.Ordinal), named.Distinct().Order(StringComparer.Ordinal));
    }

    private async Task<IReadOnlyList<HelpOption>> HelpAsync(string template) =>
        TemplateHelp.Parse((await pack.NewAsync(Repository.Root, template, "--help")).EnsureSuccess().Output);
}
