using Microsoft.Extensions.Hosting;

namespace Acme.Shop.Tests;

/// <summary>
/// The test host's lifetime: the app's start waits until the factory is waiting for it. Without the hold, a start that
/// fails at once (a bad setting) can dispose the host before <c>WebApplicationFactory</c> looks at it, which then
/// reports the disposed host instead of why the start failed.
/// </summary>
internal sealed class HeldHostLifetime(Task released) : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => released.WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
