using System.Security.Cryptography;

namespace Acme.Shop.Background;

/// <summary>
/// This process as a node: a run id that tells it apart from any other run under the same node name, and why it
/// serves no job now (Redis evicts keys, or its node name is another live process's), if it does not.
/// </summary>
internal sealed class RedisNodeState
{
    private volatile string? _evictionRefusal;
    private volatile string? _nameRefusal;

    public string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Null while the node may serve; else why not, as the 503 and <c>/healthz</c> say.</summary>
    public string? Unready => _nameRefusal ?? _evictionRefusal;

    public void EvictionRefused(string? reason) => _evictionRefusal = reason;

    public void NameRefused(string? reason) => _nameRefusal = reason;
}
