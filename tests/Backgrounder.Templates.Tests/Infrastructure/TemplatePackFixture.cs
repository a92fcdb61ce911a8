using System.Collections.Concurrent;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// Packs the checkout once, installs the package into a private template hive and scaffolds from it,
/// exactly as a user's `dotnet new install Backgrounder.Templates` would, without touching the user's hive.
/// </summary>
public sealed class TemplatePackFixture : IAsyncLifetime
{
    private readonly TempDirectory _work = new("pack");
    private readonly ConcurrentDictionary<string, Lazy<Task<Scaffold>>> _builtScaffolds = new();
    private readonly Lazy<Task<RedisServer>> _redis = new(RedisServer.StartAsync);

    public string Hive => Path.Combine(_work.Path, "hive");

    public string PackageDirectory => Path.Combine(_work.Path, "package");

    public ProcessResult Install { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await DotNet.RunAsync(Repository.Root, "pack", "Templates.csproj", "-c", "Release", "-o", PackageDirectory).ContinueWith(t => t.Result.EnsureSuccess());
        var package = Directory.GetFiles(PackageDirectory, "Backgrounder.Templates.*.nupkg").Single();
        Install = (await NewAsync(_work.Path, "install", package)).EnsureSuccess();
    }

    public async Task DisposeAsync()
    {
        if (_redis.IsValueCreated)
        {
            await (await _redis.Value).DisposeAsync();
        }

        _work.Dispose();
    }

    /// <summary>One redis-server for the collection, started the first time a test needs it; tests keep apart by key prefix.</summary>
    public Task<RedisServer> RedisAsync() => _redis.Value;

    /// <summary>`dotnet new ARGS` against the private hive.</summary>
    public Task<ProcessResult> NewAsync(string workingDirectory, params string[] arguments) =>
        DotNet.RunAsync(workingDirectory, ["new", .. arguments, "--debug:custom-hive", Hive]);

    /// <summary>Scaffolds into a fresh folder; the caller owns (and disposes) nothing: the fixture's folder holds it.</summary>
    public async Task<Scaffold> ScaffoldAsync(string shortName, string name, params string[] options)
    {
        var parent = NewFolder();
        var result = (await NewAsync(parent, [shortName, "-n", name, .. options])).EnsureSuccess();
        return new Scaffold(name, Path.Combine(parent, name), result.Output);
    }

    /// <summary>
    /// An item template as run in <paramref name="project"/>'s folder (it binds that project's properties, such as
    /// RootNamespace), but written into a fresh folder, so the project itself, perhaps shared, is left as it was.
    /// </summary>
    public async Task<Scaffold> ItemAsync(string shortName, string name, string project, params string[] options)
    {
        var output = NewFolder();
        var result = (await NewAsync(output, [shortName, "-n", name, "--project", project, "-o", output, .. options])).EnsureSuccess();
        return new Scaffold(name, output, result.Output);
    }

    /// <summary>bgweb as <see cref="BuiltAsync"/> scaffolds it, before its build: not restored, its launch ports pinned.</summary>
    public Task<Scaffold> ScaffoldPinnedAsync(string name, params string[] options) =>
        ScaffoldAsync("bgweb", name, ["--no-restore", .. PinnedPorts.Options, .. options]);

    /// <summary>
    /// A scaffold that has been built with warnings as errors; shared by every test that asks for the same one.
    /// Its ports are pinned so that its files, baselines included, are the same on every run.
    /// </summary>
    public Task<Scaffold> BuiltAsync(string name, params string[] options) =>
        _builtScaffolds.GetOrAdd($"{name} {string.Join(' ', options)}", _ => new(async () =>
        {
            var scaffold = await ScaffoldPinnedAsync(name, options);
            (await DotNet.RunAsync(scaffold.Root, "build", "-warnaserror")).EnsureSuccess();
            return scaffold;
        })).Value;

    private string NewFolder() => Directory.CreateDirectory(Path.Combine(_work.Path, "scaffolds", Guid.NewGuid().ToString("N")[..8])).FullName;
}
