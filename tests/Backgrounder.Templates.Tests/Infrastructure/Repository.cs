namespace Backgrounder.Templates.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The checkout's root: the folder holding Templates.csproj.</summary>
    public static string Root { get; } = FindRoot();

    public static string Template(string name) => Path.Combine(Root, "templates", name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Templates.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Templates.csproj above {AppContext.BaseDirectory}.");
    }
}
