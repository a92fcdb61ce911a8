using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>A scaffolded app run as a real process on a free 127.0.0.1 port; disposing stops it by PID.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // The host's default shutdown timeout is 30 s; a graceful stop takes that at most, plus the process's exit.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>Whether the process has ended (a node that must keep running has not).</summary>
    public bool HasExited => _process.HasExited;

    public static async Task<AppProcess> StartAsync(Scaffold scaffold, string environment = "Development", params (string Key, string Value)[] settings)
    {
        var app = Launch(scaffold, environment, settings);
        await app._listening.Task.WaitAsync(StartTimeout);
        return app;
    }

    /// <summary>
    /// Runs the app for a process that must refuse to start: its exit code and everything it printed (stdout and
    /// stderr), or, if it still runs after <paramref name="timeout"/>, <see cref="AppExit.Exited"/> false (it is then killed).
    /// </summary>
    public static async Task<AppExit> RunUntilExitAsync(Scaffold scaffold, TimeSpan timeout, string environment = "Development", params (string Key, string Value)[] settings)
    {
        await using var app = Launch(scaffold, environment, settings);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await app._process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return new AppExit(false, null, app.Output);
        }

        // The exit is known before the last lines of output are read: wait for the end of both streams.
        app._process.WaitForExit();
        return new AppExit(true, app._process.ExitCode, app.Output);
    }

    private static AppProcess Launch(Scaffold scaffold, string environment, (string Key, string Value)[] settings)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = DotNet.StartInfo(scaffold.AppDirectory, [scaffold.AppAssembly, "--urls", baseAddress.ToString()]);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__")] = value;
        }

        var app = new AppProcess(new Process { StartInfo = info }, baseAddress);
        app._process.OutputDataReceived += (_, e) => app.OnOutput(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.OnOutput(e.Data);
        app._process.Exited += (_, _) => app._listening.TrySetException(new InvalidOperationException($"The app exited:\n{app.Output}"));
        app._process.EnableRaisingEvents = true;
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        return app;
    }

    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new ExitedAppHandler(this, new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }))
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// SIGTERM, as an orchestrator stops a container: the host runs its shutdown (jobs see their token fire, their
    /// final states are recorded); waits until the process has exited.
    /// </summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", $"{_process.Id}"]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await _process.WaitForExitAsync().WaitAsync(StopTimeout);
    }

    /// <summary>kill -9: the process stops at once, without any of its shutdown.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A request the app no longer takes (connection refused: it is stopping or has exited) fails saying so, with the
    /// end of what the app printed, rather than with "connection refused" alone.
    /// </summary>
    private sealed class ExitedAppHandler(AppProcess app, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException refused) when (refused.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // A host that stops closes its listener first: give it a moment to end, to tell which it is.
                using var wait = new CancellationTokenSource(ExitWait);
                try
                {
                    await app._process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                }

                var what = app._process.HasExited ? $"the app exited with {app._process.ExitCode}" : "the app refuses connections (still running, perhaps stopping)";
                var tail = string.Join('\n', app.Output.Split('\n').TakeLast(60));
                throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {what}; it printed last:\n{tail}", refused);
            }
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Now listening on:", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }
}

/// <summary>How a run of the app that was to stop by itself ended: <see cref="Exited"/> false if it was still running.</summary>
public sealed record AppExit(bool Exited, int? ExitCode, string Output);
