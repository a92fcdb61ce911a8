using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>The <c>Backgrounder:Redis</c> section, and <c>ConnectionStrings:Redis</c>.</summary>
internal sealed class RedisStoreOptions
{
    public const string SectionName = "Backgrounder:Redis";
    public const string ConnectionStringSetting = "ConnectionStrings:Redis";
    public const string AllowEvictionSetting = "Backgrounder:Redis:AllowEviction";

    public string? ConnectionString { get; set; }

    /// <summary>Starts every key, so several apps can share one Redis; a hash tag (<c>{backgrounder}:</c>) suits Redis Cluster.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Backgrounder:Redis:KeyPrefix must not be empty.")]
    public string KeyPrefix { get; set; } = "backgrounder:";

    /// <summary>How long a node may miss its heartbeat (one every third of this) before its jobs are marked Interrupted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Backgrounder:Redis:NodeTimeout must be from 00:00:01 to 01:00:00.")]
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Serve even when Redis's <c>maxmemory-policy</c> may evict keys. Off: such a Redis stops start-up (or keeps the
    /// node unready), since an evicted key is a lost job or a live node taken for dead.
    /// </summary>
    public bool AllowEviction { get; set; }

    /// <summary>The connection string with the defaults this app relies on; its own settings win.</summary>
    public ConfigurationOptions Connection()
    {
        // Fail fast when disconnected and time out after 3 s, so no request waits long on a Redis that is gone.
        var connection = ConfigurationOptions.Parse("abortConnect=false,connectTimeout=3000,syncTimeout=3000,asyncTimeout=3000," + ConnectionString);
        connection.BacklogPolicy = BacklogPolicy.FailFast;
        return connection;
    }

    public static bool IsValid(string? connectionString)
    {
        try
        {
            return ConfigurationOptions.Parse(connectionString!).EndPoints.Count > 0;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            return false;
        }
    }
}
