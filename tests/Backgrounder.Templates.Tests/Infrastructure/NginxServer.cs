using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// Debian's nginx as the reverse proxy a deployment puts in front of its nodes, with a config of the test's own in a
/// temp directory (pid file, logs, temp paths: nothing under /etc, /var or /run): round robin over the given node
/// addresses, on a free 127.0.0.1 port for http and another for https (a self-signed certificate made at start),
/// passing the client's address and scheme as X-Forwarded-For and X-Forwarded-Proto. Proxy buffering stays nginx's
/// default (on), as a deployment leaves it; the app's event streams say <c>X-Accel-Buffering: no</c>. A node that
/// refuses connections is skipped (<c>proxy_next_upstream error timeout</c>). ./test.sh installs nginx when it is
/// missing; disposing stops it by PID.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/nginx";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory;
    private readonly Process _process;

    private NginxServer(TempDirectory directory, Process process, int httpPort, int httpsPort)
    {
        (_directory, _process) = (directory, process);
        HttpBaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        HttpsBaseAddress = new Uri($"https://127.0.0.1:{httpsPort}");
    }

    public Uri HttpBaseAddress { get; }

    /// <summary>TLS ends at nginx, with a self-signed certificate: a client must accept it (see <see cref="LoopbackClient"/>).</summary>
    public Uri HttpsBaseAddress { get; }

    /// <summary>What nginx logged: its errors (an upstream that refused a connection, say).</summary>
    public string ErrorLog => ReadLog(_directory.Path, "error.log");

    /// <summary>One line per request: client address, request, status, and the upstream(s) nginx tried for it.</summary>
    public string AccessLog => ReadLog(_directory.Path, "access.log");

    /// <summary>Starts nginx in front of <paramref name="upstreams"/> (base addresses such as http://127.0.0.1:5123); returns once both ports accept connections.</summary>
    public static async Task<NginxServer> StartAsync(params Uri[] upstreams)
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run the tests with ./test.sh, which installs it.");
        var directory = new TempDirectory("nginx");
        var (httpPort, httpsPort) = (AppProcess.FreePort(), AppProcess.FreePort());
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process;
        try
        {
            // nginx's workers run as nobody when it is started as root: they must reach the temp paths in here (rwxr-xr-x).
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            WriteCertificate(directory.Path);
            var config = Path.Combine(directory.Path, "nginx.conf");
            await File.WriteAllTextAsync(config, Config(directory.Path, httpPort, httpsPort, upstreams));

            // nginx says nothing when it is ready, but its master writes the pid file only after it opened both ports.
            using var watcher = new FileSystemWatcher(directory.Path, "nginx.pid") { EnableRaisingEvents = true };
            watcher.Created += (_, _) => ready.TrySetResult();

            // -e: nginx opens its error log before it reads the config; the default one (/var/log/nginx) is not the test's.
            var info = new ProcessStartInfo(ExecutablePath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-p", directory.Path, "-c", config, "-e", Path.Combine(directory.Path, "error.log"), "-g", "daemon off; master_process on;" })
            {
                info.ArgumentList.Add(argument);
            }

            process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var output = new System.Text.StringBuilder();
            DataReceivedEventHandler collect = (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            };
            process.OutputDataReceived += collect;
            process.ErrorDataReceived += collect;
            process.Exited += (_, _) =>
            {
                lock (output)
                {
                    ready.TrySetException(new InvalidOperationException(
                        $"nginx exited with {process.ExitCode}:\n{output}{ReadLog(directory.Path, "error.log")}"));
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(StartTimeout);
            }
            catch
            {
                await StopAsync(process);
                process.Dispose();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }

        var nginx = new NginxServer(directory, process, httpPort, httpsPort);
        try
        {
            // A safety net on what the pid file said: both ports take a connection now.
            await AssertAcceptsAsync(httpPort);
            await AssertAcceptsAsync(httpsPort);
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }

        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
        _directory.Dispose();
    }

    /// <summary>SIGTERM, nginx's fast shutdown (open event streams are closed, where SIGQUIT would wait for them); SIGKILL to it and its worker if it lingers.</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", $"{process.Id}"]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task AssertAcceptsAsync(int port)
    {
        using var probe = new TcpClient();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await probe.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
    }

    private static string Config(string directory, int httpPort, int httpsPort, Uri[] upstreams) =>
        $$"""
        worker_processes 1;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log notice;

        events {
            worker_connections 1024;
        }

        http {
            log_format upstreams '$remote_addr "$request" $status upstream=$upstream_addr';
            access_log {{directory}}/access.log upstreams;
            client_body_temp_path {{directory}}/client_body_temp;
            proxy_temp_path {{directory}}/proxy_temp;
            fastcgi_temp_path {{directory}}/fastcgi_temp;
            uwsgi_temp_path {{directory}}/uwsgi_temp;
            scgi_temp_path {{directory}}/scgi_temp;

            upstream nodes {
        {{string.Concat(upstreams.Select(node => $"        server {node.Authority};\n"))}}
                keepalive 16;
            }

            server {
                listen 127.0.0.1:{{httpPort}};
                listen 127.0.0.1:{{httpsPort}} ssl;
                ssl_certificate {{directory}}/cert.pem;
                ssl_certificate_key {{directory}}/key.pem;

                location / {
                    proxy_pass http://nodes;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    # An event stream stays open for as long as its job runs.
                    proxy_read_timeout 1h;
                    proxy_next_upstream error timeout;
                }
            }
        }
        """;

    /// <summary>A certificate for localhost and 127.0.0.1, valid for a day, with its key, as PEM files nginx reads.</summary>
    private static void WriteCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static string ReadLog(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        try
        {
            using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(log).ReadToEnd();
        }
        catch (IOException)
        {
            return $"({name} could not be read)";
        }
    }
}
