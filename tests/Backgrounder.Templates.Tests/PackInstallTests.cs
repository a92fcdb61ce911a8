using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>The package installs cleanly: `dotnet new install` exits 0 even when it rejects a template, so read what it says.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class PackInstallTests(TemplatePackFixture pack)
{
    [Fact]
    public void Install_reports_no_warning_or_error()
    {
        Assert.DoesNotContain("warn", pack.Install.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("error", pack.Install.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Success: Backgrounder.Templates@", pack.Install.Output);
    }

    [Theory]
    [InlineData("bgweb", "ASP.NET Core Web App with Background Jobs")]
    public async Task The_template_is_listed_under_its_short_name(string shortName, string templateName)
    {
        var list = (await pack.NewAsync(Repository.Root, "list", shortName)).EnsureSuccess();

        Assert.Contains(templateName, list.Output);
        Assert.Contains(shortName, list.Output);
    }

    [Fact]
    public void The_package_holds_no_build_output()
    {
        var package = Directory.GetFiles(pack.PackageDirectory, "*.nupkg").Single();
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);

        Assert.DoesNotContain(zip.Entries, entry => entry.FullName.Split('/').Any(part => part is "bin" or "obj"));
        Assert.Contains(zip.Entries, entry => entry.FullName == "content/templates/bgweb/.template.config/template.json");
    }
}
