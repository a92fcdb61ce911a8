namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>What `dotnet new` wrote for one name: <see cref="Root"/> is the solution folder.</summary>
public sealed record Scaffold(string Name, string Root, string NewOutput)
{
    public string AppDirectory => Path.Combine(Root, "src", Name);

    public string AppProject => Path.Combine(AppDirectory, $"{Name}.csproj");

    public string AppAssembly => Path.Combine(AppDirectory, "bin", "Debug", "net10.0", $"{Name}.dll");

    public IReadOnlyList<string> Files() =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/'))
            .Where(file => !file.Split('/').Any(part => part is "bin" or "obj" or "TestResults"))
            .Order(StringComparer.Ordinal)];

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>Replaces text the file must hold exactly once: a template change that moves it fails here, not silently.</summary>
    public void ReplaceOnce(string relativePath, string text, string replacement)
    {
        var path = Path.Combine(Root, relativePath);
        var content = File.ReadAllText(path);
        Assert.True(content.Split(text).Length == 2, $"{relativePath} should hold once: {text}");
        File.WriteAllText(path, content.Replace(text, replacement, StringComparison.Ordinal));
    }
}
