using Backgrounder.Templates.Tests.Infrastructure;

namespace Backgrounder.Templates.Tests;

/// <summary>The baseline mechanism on hand-made folders: what a snapshot holds, how an update writes it, what a failure says.</summary>
public sealed class TemplateSnapshotTests : IDisposable
{
    private readonly TempDirectory _work = new("snapshot");

    [Fact]
    public void Paths_name_the_project_as_a_token_text_has_the_pinned_ports_as_tokens_and_binaries_their_hash()
    {
        var scaffold = Write("Demo", new()
        {
            ["src/Demo/Demo.csproj"] = "<Project />\n"u8.ToArray(),
            ["launch.json"] = "https://localhost:7999;http://localhost:5999 and README's localhost:5081, 159990\n"u8.ToArray(),
            ["icon.png"] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF],
            ["src/Demo/obj/project.assets.json"] = "{}"u8.ToArray(),
        });

        var files = TemplateSnapshot.Of(scaffold).Files;

        Assert.Equal(["icon.png.sha256", "launch.json", "src/{name}/{name}.csproj"], files.Keys);
        Assert.Equal("https://localhost:{https-port};http://localhost:{http-port} and README's localhost:5081, 159990\n", files["launch.json"]);
        Assert.StartsWith("binary file, compared by its hash: sha256 ", files["icon.png.sha256"]);
        Assert.EndsWith(", 6 bytes\n", files["icon.png.sha256"]);
    }

    [Fact]
    public void Writing_a_snapshot_leaves_exactly_its_files_and_reads_back_the_same()
    {
        var baseline = Path.Combine(_work.Path, "baseline");
        TemplateSnapshot.Of(Write("Old", new() { ["gone/Old.cs"] = "old\n"u8.ToArray(), ["kept.txt"] = "kept\n"u8.ToArray() })).WriteTo(baseline);
        var current = TemplateSnapshot.Of(Write("New", new() { ["kept.txt"] = "\uFEFFchanged\n"u8.ToArray(), ["New.cs"] = "new\n"u8.ToArray() }));

        current.WriteTo(baseline);

        Assert.Equal(["kept.txt", "{name}.cs"], TemplateSnapshot.Load(baseline).Files.Keys);
        Assert.False(Directory.Exists(Path.Combine(baseline, "gone")));
        Assert.Null(SnapshotDiff.Describe(TemplateSnapshot.Load(baseline), current));
    }

    [Fact]
    public void A_difference_names_each_file_and_shows_the_first_differing_line_of_both()
    {
        var expected = TemplateSnapshot.Of(Write("App", new()
        {
            ["Program.cs"] = "using A;\nvar x = 1;\nrun();\n"u8.ToArray(),
            ["Removed.cs"] = "x\n"u8.ToArray(),
            ["Same.cs"] = "same\n"u8.ToArray(),
            ["NoNewline.txt"] = "a\n"u8.ToArray(),
        }));
        var actual = TemplateSnapshot.Of(Write("App", new()
        {
            ["Program.cs"] = "using A;\nvar x = 2;\r\nrun();\n"u8.ToArray(),
            ["Added.cs"] = "y\nz\n"u8.ToArray(),
            ["Same.cs"] = "same\n"u8.ToArray(),
            ["NoNewline.txt"] = "a"u8.ToArray(),
        }));

        var message = SnapshotDiff.Describe(expected, actual);

        Assert.Equal(
            "4 file(s) differ from the baseline:\n"
            + "  new      Added.cs: scaffolded, not in the baseline (2 lines)\n"
            + "  changed  NoNewline.txt: first difference at line 2 (the baseline has 1 lines, the scaffold 1)\n"
            + "             baseline: (end of file)\n"
            + "             scaffold: (end of file, without a newline after the last line)\n"
            + "  changed  Program.cs: first difference at line 2 (the baseline has 3 lines, the scaffold 3)\n"
            + "             baseline: `var x = 1;`\n"
            + "             scaffold: `var x = 2;\u240D`\n"
            + "  missing  Removed.cs: in the baseline, no longer scaffolded\n",
            message);
    }

    [Fact]
    public void Row_folders_are_the_name_and_a_slug_of_the_options()
    {
        Assert.Equal("my-app_default", Baselines.RowFolder("my-app", ""));
        Assert.Equal("Acme.Shop_store-redis", Baselines.RowFolder("Acme.Shop", "--store redis"));
        Assert.Equal("my-app_tests-false_no-https_exclude-launch-settings", Baselines.RowFolder("my-app", "--tests false --no-https --exclude-launch-settings"));
    }

    public void Dispose() => _work.Dispose();

    private Scaffold Write(string name, Dictionary<string, byte[]> files)
    {
        var root = Directory.CreateDirectory(Path.Combine(_work.Path, Guid.NewGuid().ToString("N")[..8], name)).FullName;
        foreach (var (path, bytes) in files)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
        }

        return new Scaffold(name, root, "");
    }
}
