using System.Text.RegularExpressions;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>The port symbols rewrite the launch URLs' ports and nothing else: a 5000 in code is a number, not a port.</summary>
public sealed partial class PortReplacementTests
{
    [Fact]
    public async Task Only_ports_after_localhost_are_replaced_and_a_5000_in_code_stays()
    {
        using var work = new TempDirectory("ports");

        // The template as it ships, plus one file of code holding the numbers the port symbols replace.
        var template = Path.Combine(work.Path, "bgweb");
        CopyTemplate(Repository.Template("bgweb"), template);
        var code = "src/Company.WebApplication1/Jobs/Limits.cs";
        await File.WriteAllTextAsync(Path.Combine(template, code), """
            namespace Company.WebApplication1.Jobs;

            public static class Limits
            {
                public const int TimeoutMilliseconds = 5000;
                public const int MaxItems = 5001;
            }

            """);

        var hive = Path.Combine(work.Path, "hive");
        (await DotNet.RunAsync(work.Path, "new", "install", template, "--debug:custom-hive", hive)).EnsureSuccess();
        (await DotNet.RunAsync(work.Path, "new", "bgweb", "-n", "Ports", "-o", "out", "--no-restore", "--kestrelHttpPort", "5123", "--kestrelHttpsPort", "7123", "--debug:custom-hive", hive)).EnsureSuccess();

        var output = Path.Combine(work.Path, "out");
        var limits = await File.ReadAllTextAsync(Path.Combine(output, "src/Ports/Jobs/Limits.cs"));
        Assert.Contains("TimeoutMilliseconds = 5000;", limits);
        Assert.Contains("MaxItems = 5001;", limits);

        var launchUrls = LaunchPort().Matches(await File.ReadAllTextAsync(Path.Combine(output, "src/Ports/Properties/launchSettings.json")))
            .Select(match => int.Parse(match.Groups[1].Value))
            .ToList();
        Assert.Equal([5123, 7123, 5123], launchUrls);
    }

    private static void CopyTemplate(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "TestResults"))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"localhost:(\d+)")]
    private static partial Regex LaunchPort();
}
