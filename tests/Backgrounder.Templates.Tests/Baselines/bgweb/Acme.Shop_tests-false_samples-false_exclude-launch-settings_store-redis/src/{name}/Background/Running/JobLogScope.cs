using System.Collections;

namespace Acme.Shop.Background;

/// <summary>The logging scope of one run: every log line written while it runs carries <c>JobId</c> and <c>JobName</c>.</summary>
internal sealed class JobLogScope(JobId id, string name) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobId", id.ToString()),
        1 => new("JobName", name),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"JobId:{id} JobName:{name}";
}
