using System.Text.Json;
using System.Text.RegularExpressions;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>Each option row scaffolds exactly its baseline's files and contents, builds with zero warnings and passes its own tests.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class BgwebOptionsTests(TemplatePackFixture pack)
{
    /// <summary>
    /// Every file of the row, name and contents, against Baselines/bgweb/&lt;row&gt;/. After an intended template change:
    /// BACKGROUNDER_UPDATE_BASELINES=1 ./test.sh --filter Category=Baselines, then review and commit the git diff.
    /// </summary>
    [Theory]
    [Trait("Category", Baselines.Category)]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Scaffolds_exactly_the_files_of_its_baseline(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));

        Baselines.Verify("bgweb", name, options, scaffold);
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Builds_without_warnings_and_its_own_tests_pass(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));

        Assert.DoesNotContain("warning", scaffold.NewOutput, StringComparison.OrdinalIgnoreCase);
        if (BgwebOptions.HasTests(options))
        {
            // With Redis the store's contract runs against a real server, as CI must prove; none is skipped.
            var environment = BgwebOptions.HasRedis(options)
                ? new Dictionary<string, string> { ["ConnectionStrings__Redis"] = (await pack.RedisAsync()).ConnectionString }
                : [];
            var test = (await DotNet.RunAsync(scaffold.Root, environment, "test", "--no-build")).EnsureSuccess();
            Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+[1-9][0-9]*, Skipped:\s+0", test.Output);
        }
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Each_option_changes_what_it_says(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));
        var program = scaffold.Read($"src/{name}/Program.cs");
        var solution = scaffold.Read($"{name}.slnx");
        var launchSettings = $"src/{name}/Properties/launchSettings.json";

        Assert.Equal(BgwebOptions.HasTests(options), solution.Contains($"tests/{name}.Tests/{name}.Tests.csproj", StringComparison.Ordinal));
        Assert.Equal(BgwebOptions.HasTests(options), Directory.Exists(Path.Combine(scaffold.Root, "tests")));
        Assert.Equal(BgwebOptions.HasSamples(options), program.Contains("app.MapIndex();", StringComparison.Ordinal));
        Assert.Equal(!BgwebOptions.HasSamples(options), program.Contains("app.MapExample();", StringComparison.Ordinal));

        // The dashboard, and the antiforgery forms that start jobs need, are in every app, with or without the samples.
        Assert.Contains("app.MapThreadDbViewer();", program);
        Assert.Contains("app.UseAntiforgery();", program);
        Assert.True(File.Exists(Path.Combine(scaffold.AppDirectory, "Endpoints", "ThreadDbViewer.cs")));
        Assert.Contains("\"Enabled\": true", scaffold.Read($"src/{name}/appsettings.Development.json"));
        Assert.Equal(!BgwebOptions.Has(options, "--no-https"), program.Contains("UseHttpsRedirection", StringComparison.Ordinal));
        Assert.Equal(!BgwebOptions.Has(options, "--exclude-launch-settings"), File.Exists(Path.Combine(scaffold.Root, launchSettings)));

        // The memory store needs no package at all; Redis brings StackExchange.Redis and nothing else.
        var packages = PackageReference().Matches(scaffold.Read($"src/{name}/{name}.csproj")).Select(match => match.Groups[1].Value);
        Assert.Equal(BgwebOptions.HasRedis(options) ? ["StackExchange.Redis"] : [], packages);
        Assert.Equal(BgwebOptions.HasRedis(options), File.Exists(Path.Combine(scaffold.AppDirectory, "Background", "Storage", "Redis", "RedisJobStore.cs")));
        Assert.Equal(BgwebOptions.HasRedis(options), scaffold.Read($"src/{name}/appsettings.Development.json").Contains("\"Redis\": \"localhost:6379\"", StringComparison.Ordinal));
        if (File.Exists(Path.Combine(scaffold.Root, launchSettings)))
        {
            using var profiles = JsonDocument.Parse(scaffold.Read(launchSettings));
            var names = profiles.RootElement.GetProperty("profiles").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(BgwebOptions.Has(options, "--no-https") ? ["http"] : ["http", "https"], names);
        }
    }

    [Theory]
    [MemberData(nameof(BgwebOptions.Rows), MemberType = typeof(BgwebOptions))]
    public async Task Text_files_have_no_byte_order_mark_and_only_lf_line_endings(string name, string options)
    {
        var scaffold = await pack.BuiltAsync(name, BgwebOptions.Split(options));

        foreach (var file in scaffold.Files())
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(scaffold.Root, file));
            if (file.EndsWith(".png", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..], $"{file} starts with a UTF-8 byte order mark.");
            Assert.False(bytes.Contains((byte)'\r'), $"{file} has a CR line ending.");
            Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', $"{file} does not end with a newline.");
        }
    }

    [GeneratedRegex("<PackageReference Include=\"([^\"]+)\"")]
    private static partial Regex PackageReference();
}
