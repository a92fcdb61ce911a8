using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>What a feed shows of the package: its nuspec and the files it names, read from the .nupkg itself.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class PackageTests(TemplatePackFixture pack)
{
    [Fact]
    public void The_icon_is_packed_and_named_in_the_nuspec()
    {
        using var package = OpenPackage();
        var icon = Child(Metadata(package), "icon")?.Value;

        Assert.Equal("icon.png", icon);
        Assert.True(Read(package, icon) is [0x89, (byte)'P', (byte)'N', (byte)'G', ..], "icon.png is not a PNG.");
    }

    [Fact]
    public void The_readme_is_packed_named_in_the_nuspec_and_is_the_repositorys_readme()
    {
        using var package = OpenPackage();
        var readme = Child(Metadata(package), "readme")?.Value;

        Assert.Equal("README.md", readme);
        var text = System.Text.Encoding.UTF8.GetString(Read(package, readme));
        Assert.StartsWith("# Backgrounder.Templates", text);
        Assert.Contains("## Quick start", text);
        Assert.Contains("## `dotnet new bgweb` options", text);
    }

    [Fact]
    public void The_packed_readme_has_no_relative_link_or_image_a_feed_could_not_resolve()
    {
        using var package = OpenPackage();
        var text = System.Text.Encoding.UTF8.GetString(Read(package, "README.md"));

        Assert.Empty(RelativeLink().Matches(text).Select(match => match.Value));
    }

    [Fact]
    public void The_nuspec_has_no_empty_dependency_group()
    {
        using var package = OpenPackage();
        var dependencies = Child(Metadata(package), "dependencies");

        // A template package depends on nothing; an empty net10.0 group would list the package as "for net10.0".
        Assert.True(dependencies is null || dependencies.HasElements, $"Empty <dependencies>: {dependencies}");
        Assert.All(dependencies?.Elements(dependencies.Name.Namespace + "group") ?? [], group => Assert.True(group.HasElements, $"Empty dependency group: {group}"));
    }

    [Fact]
    public void The_nuspec_has_no_repository_element_without_a_url()
    {
        using var package = OpenPackage();
        var repository = Child(Metadata(package), "repository");

        Assert.True(repository is null || !string.IsNullOrEmpty(repository.Attribute("url")?.Value), $"Repository without a URL: {repository}");
    }

    private ZipArchive OpenPackage() => ZipFile.OpenRead(Directory.GetFiles(pack.PackageDirectory, "Backgrounder.Templates.*.nupkg").Single());

    private static XElement Metadata(ZipArchive package)
    {
        var entry = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !entry.FullName.Contains('/'));
        using var stream = entry.Open();
        return Child(XDocument.Load(stream).Root!, "metadata")!;
    }

    // NuGet picks the nuspec's namespace by the features the package uses: read elements in the document's own.
    private static XElement? Child(XElement parent, string name) => parent.Element(parent.Name.Namespace + name);

    private static byte[] Read(ZipArchive package, string? path)
    {
        var entry = package.GetEntry(path ?? "");
        Assert.True(entry is not null, $"The package has no {path}.");
        using var stream = entry.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    // [text](target) or ![alt](target) whose target is neither absolute nor an anchor.
    [GeneratedRegex(@"!?\[[^\]]*\]\((?!https?:|#)[^)]*\)")]
    private static partial Regex RelativeLink();
}
