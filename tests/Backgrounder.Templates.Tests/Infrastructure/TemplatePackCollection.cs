namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>One pack and one hive for every end-to-end test; they run one after another, builds being heavy on 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class TemplatePackCollection : ICollectionFixture<TemplatePackFixture>
{
    public const string Name = "Template pack";
}
