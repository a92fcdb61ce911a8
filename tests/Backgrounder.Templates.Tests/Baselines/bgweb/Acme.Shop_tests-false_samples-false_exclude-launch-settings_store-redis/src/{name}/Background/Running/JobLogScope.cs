using System.Collections;

namespace Acme.Shop.Background;

/// <summary>The logging scope of one run: every log line written while it runs carries <c>JobId</c>, <c>JobName</c> and <c>Attempt</c>.</summary>
internal sealed class JobLogScope(JobId id, string name, int attempt) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobId", id.ToString()),
        1 => new("JobName", name),
        2 => new("Attempt", attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"JobId:{id} JobName:{name} Attempt:{attempt}";
}
