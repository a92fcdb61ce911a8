using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>The baseline tree itself: a folder for every row and no other, and snapshots that do not vary between runs.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class BaselineTests(TemplatePackFixture pack)
{
    public static TheoryData<string> Templates => new() { "bgweb", "bgjob" };

    [Theory]
    [Trait("Category", Baselines.Category)]
    [MemberData(nameof(Templates))]
    public void Every_baseline_folder_is_an_option_row(string template)
    {
        var rows = template == "bgweb" ? BgwebOptions.Rows : BgjobOptions.Rows;
        var stale = Baselines.StaleRowFolders(template, rows);
        if (Baselines.Updating)
        {
            foreach (var folder in stale)
            {
                Directory.Delete(Path.Combine(Baselines.Root, template, folder), recursive: true);
            }

            return;
        }

        Assert.True(stale.Count == 0, $"Baselines/{template}/ has folders of no option row: {string.Join(", ", stale)}. Delete them with {Baselines.AcceptCommand}");
    }

    [Fact]
    [Trait("Category", Baselines.Category)]
    public async Task A_second_scaffold_of_a_row_writes_the_same_snapshot_as_the_built_one()
    {
        // Anything random in the output (a port, a GUID, a date) would make every baseline flaky; this names it at once.
        // Against the built scaffold, so it also proves the build leaves the snapshotted files as dotnet new wrote them.
        var built = TemplateSnapshot.Of(await pack.BuiltAsync("my-app"));
        var again = TemplateSnapshot.Of(await pack.ScaffoldPinnedAsync("my-app"));

        var difference = SnapshotDiff.Describe(built, again);
        Assert.True(difference is null, $"Two scaffolds of `dotnet new bgweb -n my-app` differ, so no baseline can hold them: pin what varies or scrub it (Infrastructure/PinnedPorts.cs).\n{difference}");
    }
}
