using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>Each bgjob row writes exactly its baseline's files and contents.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class BgjobOptionsTests(TemplatePackFixture pack)
{
    /// <summary>
    /// Against Baselines/bgjob/&lt;row&gt;/. After an intended template change:
    /// BACKGROUNDER_UPDATE_BASELINES=1 ./test.sh --filter Category=Baselines, then review and commit the git diff.
    /// </summary>
    [Theory]
    [Trait("Category", Baselines.Category)]
    [MemberData(nameof(BgjobOptions.Rows), MemberType = typeof(BgjobOptions))]
    public async Task Scaffolds_exactly_the_files_of_its_baseline(string name, string options)
    {
        // The built scaffold, shared with the bgweb tests: bgjob reads the project, the build adds nothing to it.
        var app = await pack.BuiltAsync(BgjobOptions.App);

        var job = await pack.ItemAsync("bgjob", name, app.AppProject, BgwebOptions.Split(options));

        Baselines.Verify("bgjob", name, options, job);
    }
}
