using System.Diagnostics;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// A redis-server of the test's own on a free 127.0.0.1 port, stopped by PID; ./test.sh installs Debian's
/// redis-server when it is missing. Persistence is off unless started with <see cref="StartWithAofAsync"/> (AOF,
/// fsync on every write, in a data folder of its own). It can be paused (SIGSTOP) and resumed, as a stalled server
/// would be, stopped and started again on the same port (with its data, if it keeps any), and told anything
/// redis-cli can say (<see cref="CliAsync"/>).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data;
    private readonly bool _appendOnly;
    private Process _process;

    private RedisServer(Process process, int port, TempDirectory data, bool appendOnly) =>
        (_process, Port, _data, _appendOnly) = (process, port, data, appendOnly);

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process runs now (it may be paused); false between <see cref="StopAsync"/> and <see cref="RestartAsync"/>.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Persistence off, as README's example runs it: a restart forgets everything.</summary>
    public static Task<RedisServer> StartAsync() => StartAsync(appendOnly: false);

    /// <summary>AOF persistence, <c>appendfsync always</c>: a write Redis answered survives a stop and a restart.</summary>
    public static Task<RedisServer> StartWithAofAsync() => StartAsync(appendOnly: true);

    /// <summary>Freezes the server: connections stay open, nothing is answered, as with a stalled or overloaded Redis.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Stops the server as an orderly shutdown does (SIGTERM: the AOF is flushed); the port stays this server's.</summary>
    public async Task StopAsync()
    {
        await SignalAsync("TERM");
        await WaitForExitAsync();
    }

    /// <summary><c>SHUTDOWN NOSAVE</c>: the server exits at once and writes nothing.</summary>
    public async Task ShutdownNoSaveAsync()
    {
        await CliAsync("SHUTDOWN", "NOSAVE");
        await WaitForExitAsync();
    }

    /// <summary>Starts the server again on the same port, from its data folder: with AOF it has its data back, without it is empty.</summary>
    public async Task RestartAsync()
    {
        Assert.False(IsRunning, "redis-server is still running: stop it first.");
        _process.Dispose();
        _process = await LaunchAsync(Port, _data.Path, _appendOnly);
    }

    /// <summary>Runs redis-cli against this server and returns what it printed (errors included, as redis-cli prints them to stdout).</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", $"{Port}" }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using var cli = Process.Start(info)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CliTimeout);
        try
        {
            await cli.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Kill();
            Assert.Fail($"redis-cli {string.Join(' ', arguments)} did not answer within {CliTimeout}.");
        }

        return await output + await error;
    }

    /// <summary>Runs a command that must answer OK, as <c>CONFIG SET</c> and <c>FLUSHDB</c> do.</summary>
    public async Task CliOkAsync(params string[] arguments)
    {
        var answer = await CliAsync(arguments);
        Assert.True(answer.Trim() == "OK", $"redis-cli {string.Join(' ', arguments)} answered: {answer}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGKILL ends a paused server too.
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _data.Dispose();
    }

    private static async Task<RedisServer> StartAsync(bool appendOnly)
    {
        var port = AppProcess.FreePort();
        var data = new TempDirectory("redis");
        try
        {
            return new RedisServer(await LaunchAsync(port, data.Path, appendOnly), port, data, appendOnly);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private static async Task<Process> LaunchAsync(int port, string dataDirectory, bool appendOnly)
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] persistence = appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        foreach (var argument in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--dir", dataDirectory, "--save", "" }.Concat(persistence))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("redis-server is missing: run the tests with ./test.sh, which installs it.");
        }

        // "Ready to accept connections" comes after an AOF is loaded: a restarted server answers with its data.
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            lock (log)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server exited with {process.ExitCode}:\n{log}"));
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(StartTimeout);
        return process;
    }

    private async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", $"{_process.Id}"]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
