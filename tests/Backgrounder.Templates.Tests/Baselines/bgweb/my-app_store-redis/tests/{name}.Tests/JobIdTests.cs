using my_app.Background;

namespace my_app.Tests;

public sealed class JobIdTests
{
    [Fact]
    public void New_ids_are_22_url_safe_characters_and_parse_back()
    {
        var id = JobId.New();

        Assert.Matches("^[A-Za-z0-9_-]{22}$", id.ToString());
        Assert.True(JobId.TryParse(id.ToString(), out var parsed));
        Assert.Equal(id, parsed);
    }

    [Fact]
    public void New_ids_do_not_repeat()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => JobId.New()).ToHashSet();

        Assert.Equal(10_000, ids.Count);
    }
}
