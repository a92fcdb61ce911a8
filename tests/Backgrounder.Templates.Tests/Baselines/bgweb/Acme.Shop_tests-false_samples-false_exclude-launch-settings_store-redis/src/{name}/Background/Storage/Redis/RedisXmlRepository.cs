using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace Acme.Shop.Background;

/// <summary>The Data Protection key ring in a Redis list, shared by every node.</summary>
internal sealed class RedisXmlRepository(IConnectionMultiplexer redis, RedisKey key) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. redis.GetDatabase().ListRange(key).Select(element => XElement.Parse(element!))];

    public void StoreElement(XElement element, string friendlyName) =>
        redis.GetDatabase().ListRightPush(key, element.ToString(SaveOptions.DisableFormatting));
}
