using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>
/// Redis's <c>maxmemory-policy</c>, read with <c>INFO memory</c>. Any policy but <c>noeviction</c> lets Redis drop keys
/// when memory runs short: a job's record, its lines, a node's heartbeat (and then a live node looks dead).
/// </summary>
internal static class RedisEvictionPolicy
{
    public const string Safe = "noeviction";

    /// <summary>The policy; null when Redis does not say (INFO renamed or not allowed to this client).</summary>
    public static async Task<string?> ReadAsync(IDatabase db)
    {
        try
        {
            // In a script: the client reserves INFO for admin connections; a read-only script runs on replicas and
            // under maxmemory too.
            var info = (string?)await db.ScriptEvaluateAsync("#!lua flags=no-writes\nreturn redis.call('INFO', 'memory')") ?? "";
            return info.Split('\n')
                .Select(line => line.Trim())
                .FirstOrDefault(line => line.StartsWith("maxmemory_policy:", StringComparison.Ordinal))?["maxmemory_policy:".Length..];
        }
        catch (RedisServerException)
        {
            return null;
        }
    }

    public static string Refusal(string policy) =>
        $"Redis evicts keys (maxmemory-policy {policy}), which would silently lose jobs and make live nodes look dead: " +
        $"set maxmemory-policy to {Safe}, or set {RedisStoreOptions.AllowEvictionSetting}=true to accept that.";
}
