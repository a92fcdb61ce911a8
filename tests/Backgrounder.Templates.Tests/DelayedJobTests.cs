using System.Runtime.CompilerServices;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>
/// Later and again across real processes: two nodes of a <c>--store redis</c> app on one redis-server, one of them
/// killed (SIGKILL). A delayed job scheduled on the killed node runs once, on the other; a job whose class allows it
/// runs its next attempt on the other node after its node died under it; one whose class does not ends Interrupted.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class DelayedJobTests(TemplatePackFixture pack)
{
    // One customised, built scaffold for every test of the class in this run.
    private static readonly ConditionalWeakTable<TemplatePackFixture, Lazy<Task<Scaffold>>> s_built = new();

    [Fact]
    public async Task A_delayed_job_scheduled_on_a_node_that_is_then_killed_runs_once_on_the_other()
    {
        await using var nodes = await TwoNodesAsync();
        var id = await nodes.A.Client.GetStringAsync("/later?seconds=3");

        await nodes.A.App.KillAsync();
        var scheduled = await nodes.B.JsonAsync($"/jobs/{id}");
        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        Assert.Equal("Scheduled", scheduled.GetProperty("state").GetString());
        var final = events[^1].State();
        Assert.Equal(("Succeeded", "node-b"), (final.GetProperty("state").GetString(), final.GetProperty("node").GetString()));
        Assert.Equal(["ran on node-b"], events.Lines().Select(e => e.Data));
    }

    [Fact]
    public async Task A_job_that_may_run_again_whose_node_is_killed_mid_run_runs_its_next_attempt_on_the_other_node()
    {
        await using var nodes = await TwoNodesAsync();
        var id = await nodes.A.Client.GetStringAsync("/start/SafeToRepeat");
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Lines().Any());

        await nodes.A.App.KillAsync();
        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        var final = events[^1].State();
        Assert.Equal(("Succeeded", "node-b", 2), (final.GetProperty("state").GetString(), final.GetProperty("node").GetString(), final.GetProperty("attempt").GetInt32()));
        var lines = events.Lines().Select(e => e.Data).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal("attempt 1 on node-a", lines[0]);
        Assert.StartsWith("Attempt 1 of 3 interrupted: node node-a stopped responding; next attempt at ", lines[1]);
        Assert.Equal("attempt 2 on node-b", lines[2]);
    }

    [Fact]
    public async Task A_job_that_may_not_run_again_whose_node_is_killed_mid_run_ends_Interrupted()
    {
        await using var nodes = await TwoNodesAsync();
        var id = await nodes.A.Client.GetStringAsync("/start/NotSafeToRepeat");
        await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events", enough: events => events.Lines().Any());

        await nodes.A.App.KillAsync();
        var events = await EventStreamClient.ReadAsync(nodes.B.Client, $"/jobs/{id}/events");

        var final = events[^1].State();
        Assert.Equal(("Interrupted", 1), (final.GetProperty("state").GetString(), final.GetProperty("attempt").GetInt32()));
        Assert.Equal(["attempt 1 on node-a", "Job interrupted: node node-a stopped responding."], events.Lines().Select(e => e.Data));
    }

    private async Task<RedisNodes> TwoNodesAsync() =>
        await RedisNodes.StartTwoAsync(await BuiltAsync(), await pack.RedisAsync(), ("Backgrounder:Redis:NodeTimeout", "00:00:03"));

    private Task<Scaffold> BuiltAsync() => s_built.GetValue(pack, fixture => new(() => CustomiseAsync(fixture))).Value;

    /// <summary>The Redis app with three jobs of its own: one to delay, and two that never end on node-a.</summary>
    private static async Task<Scaffold> CustomiseAsync(TemplatePackFixture fixture)
    {
        var scaffold = await fixture.ScaffoldPinnedAsync("my-app", BgwebOptions.Split(BgwebOptions.Redis));
        scaffold.ReplaceOnce("src/my-app/Program.cs", "builder.Services.AddJobs(builder.Configuration);\n", """
            builder.Services.AddJobs(builder.Configuration);
            builder.Services.AddJob<my_app.Jobs.Later>().AddJob<my_app.Jobs.SafeToRepeat>().AddJob<my_app.Jobs.NotSafeToRepeat>();

            """);
        scaffold.ReplaceOnce("src/my-app/Program.cs", "app.MapJobEndpoints();\n", """
            app.MapJobEndpoints();
            app.MapGet("/later", async (int seconds, BackgroundJobs jobs) => (await jobs.ScheduleAsync<my_app.Jobs.Later>(TimeSpan.FromSeconds(seconds))).ToString());
            app.MapGet("/start/SafeToRepeat", async (BackgroundJobs jobs) => (await jobs.StartAsync<my_app.Jobs.SafeToRepeat>()).ToString());
            app.MapGet("/start/NotSafeToRepeat", async (BackgroundJobs jobs) => (await jobs.StartAsync<my_app.Jobs.NotSafeToRepeat>()).ToString());

            """);
        await File.WriteAllTextAsync(Path.Combine(scaffold.AppDirectory, "Jobs", "LaterJobs.cs"), """
            using my_app.Background;

            namespace my_app.Jobs;

            /// <summary>Says which node ran it.</summary>
            public sealed class Later(IConfiguration configuration) : IJob
            {
                public Task RunAsync(JobContext context, CancellationToken cancellationToken)
                {
                    context.WriteLine($"ran on {configuration["Backgrounder:NodeName"]}");
                    return Task.CompletedTask;
                }
            }

            /// <summary>Never ends on node-a (the test kills it there); ends at once anywhere else.</summary>
            public abstract class EndsOffNodeA(IConfiguration configuration)
            {
                public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
                {
                    var node = configuration["Backgrounder:NodeName"];
                    context.WriteLine($"attempt {context.Attempt} on {node}");
                    if (node == "node-a")
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                }
            }

            [Retry(2, Backoff = "00:00:01", OnInterrupted = true)]
            public sealed class SafeToRepeat(IConfiguration configuration) : EndsOffNodeA(configuration), IJob;

            [Retry(2, Backoff = "00:00:01")]
            public sealed class NotSafeToRepeat(IConfiguration configuration) : EndsOffNodeA(configuration), IJob;

            """);
        (await DotNet.RunAsync(scaffold.Root, "build", "-warnaserror")).EnsureSuccess();
        return scaffold;
    }
}
