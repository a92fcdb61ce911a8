using System.Net;
using System.Net.Sockets;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// HTTP clients that each connect from a loopback address of their own (127.0.1.7, say: all of 127.0.0.0/8 is this
/// machine), so a proxy in front of the app sees as many different client addresses as there are clients, as a
/// public site does. Each has cookies of its own, follows no redirect, and accepts any server certificate (nginx's
/// is self-signed).
/// </summary>
public static class LoopbackClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The <paramref name="n"/>th client address, 127.0.1.<paramref name="n"/> (1 to 254): never 127.0.0.1, the proxy's own.</summary>
    public static IPAddress Address(int n) => IPAddress.Parse($"127.0.1.{n}");

    public static HttpClient Create(Uri baseAddress, IPAddress source, CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies ?? new CookieContainer(),
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout,
        };
}
