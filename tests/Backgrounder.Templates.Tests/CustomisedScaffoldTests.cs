using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// The generated tests keep passing after the customisations an owner makes first: a viewer policy and a lower
/// retention limit in appsettings.json, and a hosted service of their own that starts a job every minute.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class CustomisedScaffoldTests(TemplatePackFixture pack)
{
    private const string Name = "Acme.Shop";

    [Fact]
    public async Task The_generated_tests_pass_after_ordinary_customisations()
    {
        var scaffold = await pack.ScaffoldAsync("bgweb", Name, "--no-restore");

        scaffold.ReplaceOnce("src/Acme.Shop/appsettings.json", "\"Policy\": \"\"", "\"Policy\": \"JobViewers\"");
        scaffold.ReplaceOnce("src/Acme.Shop/appsettings.json", "\"MaxRetainedJobs\": 1000", "\"MaxRetainedJobs\": 5");
        scaffold.ReplaceOnce("src/Acme.Shop/Program.cs", "builder.Services.AddJobs(builder.Configuration);\n", """
            builder.Services.AddJobs(builder.Configuration);
            builder.Services.AddHostedService<Acme.Shop.Jobs.MinuteReport>();
            builder.Services.AddAuthorization(options => options.AddPolicy("JobViewers", policy => policy.RequireRole("admin")));

            """);
        await File.WriteAllTextAsync(Path.Combine(scaffold.AppDirectory, "Jobs", "MinuteReport.cs"), """
            using Acme.Shop.Background;

            namespace Acme.Shop.Jobs;

            /// <summary>Starts a small job every minute, as an owner's own hosted service would.</summary>
            public sealed class MinuteReport(BackgroundJobs jobs, TimeProvider time) : BackgroundService
            {
                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
                    while (await timer.WaitForNextTickAsync(stoppingToken))
                    {
                        try
                        {
                            await jobs.StartAsync((context, _) => { context.WriteLine("report"); return Task.CompletedTask; }, stoppingToken);
                        }
                        catch (BadHttpRequestException)
                        {
                            // The queue is full or the app is stopping: the next minute tries again.
                        }
                    }
                }
            }

            """);

        (await DotNet.RunAsync(scaffold.Root, "build", "-warnaserror")).EnsureSuccess();
        var test = await DotNet.RunAsync(scaffold.Root, "test", "--no-build");

        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+[1-9][0-9]*, Skipped:\s+0", test.Output);
    }
}
