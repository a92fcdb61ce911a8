using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace my_app.Background;

/// <summary>
/// The Data Protection key ring in a Redis list, shared by every node, so an owner cookie minted on one node opens
/// on all. Each node keeps the keys it has read or made, and writes them back when Redis lost them (a restart
/// without persistence, FLUSHDB): otherwise a node would mint a new key and every older cookie would stop working.
/// </summary>
internal sealed class RedisXmlRepository(IConnectionMultiplexer redis, RedisKey key) : IXmlRepository
{
    private readonly Lock _gate = new();
    private List<string> _known = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        try
        {
            var elements = redis.GetDatabase().ListRange(key).Select(element => (string)element!).ToList();
            lock (_gate)
            {
                _known = [.. _known.Union(elements)];
                return [.. _known.Select(element => XElement.Parse(element))];
            }
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception))
        {
            lock (_gate)
            {
                // Redis is down: the keys this node knows serve until it is back.
                return _known.Count > 0
                    ? [.. _known.Select(element => XElement.Parse(element))]
                    : throw new JobsUnavailableException("The owner cookie's keys (Redis) cannot be read; try again shortly.", exception);
            }
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var text = element.ToString(SaveOptions.DisableFormatting);
        try
        {
            redis.GetDatabase().ListRightPush(key, text);
        }
        catch (Exception exception) when (RedisJobStore.IsUnavailable(exception))
        {
            throw new JobsUnavailableException("The owner cookie's keys (Redis) cannot be written; try again shortly.", exception);
        }

        lock (_gate)
        {
            _known = [.. _known, text];
        }
    }

    /// <summary>
    /// Writes back every key this node knows that Redis no longer has, also when a node that started meanwhile made a
    /// new list with only its own key: one script, so two nodes writing back at once leave one copy of each.
    /// </summary>
    public async Task RestoreIfMissingAsync()
    {
        string[] known;
        lock (_gate)
        {
            known = [.. _known];
        }

        if (known.Length > 0)
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                "for _, element in ipairs(ARGV) do if not redis.call('LPOS', KEYS[1], element) then redis.call('RPUSH', KEYS[1], element) end end",
                [key],
                [.. known.Select(element => (RedisValue)element)]);
        }
    }
}
