using System.Text.Json;
using my_app.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace my_app.Tests;

/// <summary>
/// Anyone holding a job id sees the node that runs it: by default an opaque name, random per process; the machine and
/// the process id go to the log only. A configured Backgrounder:NodeName is used as given.
/// </summary>
public sealed class NodeNameTests
{
    [Fact]
    public async Task By_default_a_job_shows_an_opaque_node_name_and_only_the_log_names_the_machine_and_process()
    {
        var log = new CapturingLoggerProvider(LogLevel.Information);
        using var app = new BackgrounderAppFactory { Environment = "Production", ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(log) };
        var id = await app.StartAsync((_, _) => Task.CompletedTask);
        await app.Store.WaitUntilFinishedAsync(id);

        var json = await app.CreatePlainClient().GetStringAsync($"/jobs/{id}");
        var node = JsonDocument.Parse(json).RootElement.GetProperty("node").GetString()!;

        // Opaque: nothing but random hex digits (a short machine name such as "vm" may well occur in a job id).
        Assert.Matches("^node-[0-9a-f]{6}$", node);
        Assert.DoesNotContain($"{Environment.MachineName}-{Environment.ProcessId}", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(log.Messages, message =>
            message.Contains(node, StringComparison.Ordinal)
            && message.Contains(Environment.MachineName, StringComparison.Ordinal)
            && message.Contains($"process {Environment.ProcessId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configured_node_name_is_used_as_given()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:NodeName", "web-1.eu"));
        var id = await app.StartAsync((_, _) => Task.CompletedTask);
        await app.Store.WaitUntilFinishedAsync(id);

        var json = await app.CreatePlainClient().GetStringAsync($"/jobs/{id}");

        Assert.Equal("web-1.eu", JsonDocument.Parse(json).RootElement.GetProperty("node").GetString());
    }
}
