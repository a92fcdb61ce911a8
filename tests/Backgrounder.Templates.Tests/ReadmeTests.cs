using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>README says what a newcomer types; these tests keep it true.</summary>
public sealed class ReadmeTests
{
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
}
