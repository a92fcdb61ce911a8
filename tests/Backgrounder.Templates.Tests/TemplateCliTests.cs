using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>The templates as the `dotnet new` CLI shows and runs them.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class TemplateCliTests(TemplatePackFixture pack)
{
    [Theory]
    [InlineData("--tests", "Default: true")]
    [InlineData("--samples", "Default: true")]
    [InlineData("--store", "Default: memory")]
    [InlineData("--framework", "Default: net10.0")]
    [InlineData("--no-restore", "Default: false")]
    [InlineData("--exclude-launch-settings", "Default: false")]
    [InlineData("--no-https", "Default: false")]
    public async Task Help_lists_every_option_with_a_description_and_its_default(string option, string defaultText)
    {
        var help = (await pack.NewAsync(Repository.Root, "bgweb", "--help")).EnsureSuccess().Output;

        var block = OptionBlock(help, option);
        Assert.Contains(defaultText, block);
        Assert.Matches(@"\w+ \w+", block[(block.IndexOf(option, StringComparison.Ordinal) + option.Length)..]);
    }

    [Fact]
    public async Task Two_scaffolds_get_different_ports_inside_the_documented_ranges()
    {
        var first = Ports(await pack.ScaffoldAsync("bgweb", "PortsA", "--no-restore"));
        var second = Ports(await pack.ScaffoldAsync("bgweb", "PortsB", "--no-restore"));

        foreach (var (http, https) in new[] { first, second })
        {
            Assert.InRange(http, 5000, 5300);
            Assert.InRange(https, 7000, 7300);
        }

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Without_no_restore_the_post_action_restores_every_generated_project()
    {
        var scaffold = await pack.ScaffoldAsync("bgweb", "Restored");

        AssertCleanOutput(scaffold.NewOutput);
        Assert.Contains("Restore succeeded.", scaffold.NewOutput);
        Assert.True(File.Exists(Path.Combine(scaffold.AppDirectory, "obj", "project.assets.json")), scaffold.NewOutput);
        Assert.True(File.Exists(Path.Combine(scaffold.Root, "tests", "Restored.Tests", "obj", "project.assets.json")), scaffold.NewOutput);
    }

    [Fact]
    public async Task With_no_restore_nothing_is_restored()
    {
        var scaffold = await pack.ScaffoldAsync("bgweb", "NotRestored", "--no-restore");

        Assert.False(Directory.Exists(Path.Combine(scaffold.AppDirectory, "obj")));
    }

    [Fact]
    public async Task Bgjob_adds_a_job_whose_comment_followed_literally_runs_it_with_a_scoped_dependency()
    {
        var app = await pack.ScaffoldAsync("bgweb", "my-shop");
        (await DotNet.RunAsync(app.Root, "build")).EnsureSuccess();

        var added = (await pack.NewAsync(app.AppDirectory, "bgjob", "-n", "ImportOrders")).EnsureSuccess();

        AssertCleanOutput(added.Output);
        var jobPath = Path.Combine(app.AppDirectory, "Jobs", "ImportOrders.cs");
        var job = File.ReadAllText(jobPath);
        Assert.Contains("namespace my_shop.Jobs;", job);
        Assert.Contains("public sealed class ImportOrders(TimeProvider time) : IJob", job);

        // What the comment says to write, taken from the comment itself.
        var registration = WebUtility.HtmlDecode(Regex.Match(job, @"<c>(services\.AddJob[^<]*)</c>").Groups[1].Value);
        var endpoint = WebUtility.HtmlDecode(string.Join("\n", Regex.Match(job, @"/// <code>\n(.*?)/// </code>", RegexOptions.Singleline).Groups[1].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Replace("/// ", "", StringComparison.Ordinal))));
        Assert.Equal("services.AddJob<ImportOrders>();", registration);
        Assert.Contains("app.MapGet(\"/import-orders\"", endpoint);
        app.ReplaceOnce("src/my-shop/Jobs/JobsServiceCollectionExtensions.cs", "        return services;", $"        {registration}\n        services.AddScoped<OrderSource>();\n        return services;");
        app.ReplaceOnce("src/my-shop/Program.cs", "app.Run();", $"{endpoint}\n\napp.Run();");

        // The job gets a scoped dependency, as an EF Core DbContext is registered.
        app.ReplaceOnce("src/my-shop/Jobs/ImportOrders.cs", "(TimeProvider time) : IJob", "(TimeProvider time, OrderSource orders) : IJob");
        app.ReplaceOnce("src/my-shop/Jobs/ImportOrders.cs", "        context.WriteLine(\"ImportOrders finished.\");", "        context.WriteLine(orders.Next());\n        context.WriteLine(\"ImportOrders finished.\");");
        await File.WriteAllTextAsync(Path.Combine(app.AppDirectory, "Jobs", "OrderSource.cs"), """
            namespace my_shop.Jobs;

            /// <summary>Stands in for a DbContext: scoped, and unusable once its scope is disposed.</summary>
            public sealed class OrderSource : IAsyncDisposable
            {
                private bool _disposed;

                public string Next()
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    return "order 1 imported";
                }

                public ValueTask DisposeAsync()
                {
                    _disposed = true;
                    return ValueTask.CompletedTask;
                }
            }

            """);
        (await DotNet.RunAsync(app.Root, "build", "-warnaserror")).EnsureSuccess();

        await using var running = await AppProcess.StartAsync(app);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = running.BaseAddress };
        var started = await client.GetAsync("/import-orders");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        var id = started.Headers.Location!.OriginalString[^22..];

        // The event stream ends with the job's final state.
        var events = await client.GetStringAsync($"/jobs/{id}/events");
        Assert.Contains("data: order 1 imported", events);
        Assert.Contains("\"state\":\"Succeeded\"", events);
        Assert.Contains("\"name\":\"ImportOrders\"", events);
    }

    [Fact]
    public async Task Bgjob_is_listed()
    {
        var list = (await pack.NewAsync(Repository.Root, "list", "bgjob")).EnsureSuccess();

        Assert.Contains("Background Job (Backgrounder)", list.Output);
    }

    [Fact]
    public async Task An_sdk_outside_the_constraint_is_refused_with_the_version_it_needs()
    {
        // The real range admits this SDK, which proves nothing about its syntax: the same template.json with a
        // range no SDK meets yet must be refused, so the engine reads the constraint rather than skipping it.
        using var work = new TempDirectory("constraint");
        var config = Directory.CreateDirectory(Path.Combine(work.Path, "bgweb", ".template.config")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Template("bgweb"), ".template.config")))
        {
            File.Copy(file, Path.Combine(config, Path.GetFileName(file)));
        }

        var templateJson = Path.Combine(config, "template.json");
        var template = JsonNode.Parse(File.ReadAllText(templateJson))!;
        var sdk = template["constraints"]!.AsObject().Single(entry => entry.Value!["type"]!.GetValue<string>() == "sdk-version").Value!;
        sdk["args"] = "[99.0.100,)";
        File.WriteAllText(templateJson, template.ToJsonString());
        var hive = Path.Combine(work.Path, "hive");
        (await DotNet.RunAsync(work.Path, "new", "install", Path.Combine(work.Path, "bgweb"), "--debug:custom-hive", hive)).EnsureSuccess();

        var refused = await DotNet.RunAsync(work.Path, "new", "bgweb", "-n", "Refused", "--no-restore", "--debug:custom-hive", hive);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("constraints are not met", refused.Output);
        Assert.Contains("[99.0.100, )", refused.Output);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "Refused")));
    }

    /// <summary>
    /// What `dotnet new` prints after creating: no warning or error, and none of the "manual instructions" it
    /// prints for a post action it cannot run (the open-in-editor one, were it not conditioned off for the CLI).
    /// </summary>
    private static void AssertCleanOutput(string output)
    {
        Assert.Contains("was created successfully", output);
        foreach (var noise in new[] { "warn", "error", "manual", "not supported", "Post action failed" })
        {
            Assert.DoesNotContain(noise, output, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static (int Http, int Https) Ports(Scaffold scaffold)
    {
        using var settings = JsonDocument.Parse(scaffold.Read($"src/{scaffold.Name}/Properties/launchSettings.json"));
        var urls = settings.RootElement.GetProperty("profiles").GetProperty("https").GetProperty("applicationUrl").GetString()!;
        var ports = PortNumber().Matches(urls).Select(match => int.Parse(match.Groups[1].Value)).ToList();
        return (ports[1], ports[0]);
    }

    private static string OptionBlock(string help, string option)
    {
        var start = help.IndexOf(option + " ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"`dotnet new bgweb --help` does not list {option}:\n{help}");
        var end = help.IndexOf("Default:", start, StringComparison.Ordinal);
        var lineEnd = help.IndexOf('\n', end);
        return help[start..lineEnd];
    }

    [GeneratedRegex(@":(\d+)")]
    private static partial Regex PortNumber();
}
