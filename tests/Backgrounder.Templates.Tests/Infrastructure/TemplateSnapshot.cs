using System.Security.Cryptography;
using System.Text;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// A scaffold as its baseline folder stores it: one file per scaffolded file, under its path with the name given to
/// `dotnet new -n` written as <c>{name}</c>, holding its text with the pinned ports as tokens
/// (<see cref="PinnedPorts"/>). A binary file (a NUL byte or not UTF-8) is stored as one line with its SHA-256 in
/// <c>&lt;path&gt;.sha256</c>: a diff of its bytes would tell a reviewer nothing, its hash still catches any change.
/// </summary>
public sealed class TemplateSnapshot
{
    public const string BinarySuffix = ".sha256";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private TemplateSnapshot(SortedDictionary<string, string> files)
    {
        Files = files;
    }

    /// <summary>Snapshot path (relative, with '/') → the text stored there.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    public static TemplateSnapshot Of(Scaffold scaffold)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in scaffold.Files())
        {
            var path = file.Replace(scaffold.Name, "{name}", StringComparison.Ordinal);
            var bytes = File.ReadAllBytes(Path.Combine(scaffold.Root, file));
            if (Text(bytes) is { } text)
            {
                files.Add(path, PinnedPorts.Scrub(text));
            }
            else
            {
                files.Add(path + BinarySuffix, $"binary file, compared by its hash: sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))}, {bytes.Length} bytes\n");
            }
        }

        return new TemplateSnapshot(files);
    }

    /// <summary>What a baseline folder holds; none at all when it does not exist yet.</summary>
    public static TemplateSnapshot Load(string directory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var bytes = File.ReadAllBytes(file);
                files.Add(Relative(directory, file), Text(bytes) ?? throw new InvalidDataException($"{file} is not UTF-8 text: a baseline holds text only."));
            }
        }

        return new TemplateSnapshot(files);
    }

    /// <summary>Makes <paramref name="directory"/> hold exactly this snapshot: files no longer scaffolded are deleted too.</summary>
    public void WriteTo(string directory)
    {
        var existing = Load(directory).Files;
        foreach (var stale in existing.Keys.Except(Files.Keys))
        {
            File.Delete(Path.Combine(directory, stale));
        }

        foreach (var (path, text) in Files)
        {
            // Unchanged files are left alone, so their timestamps say what an update touched.
            if (!existing.TryGetValue(path, out var old) || old != text)
            {
                var file = Path.Combine(directory, path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, StrictUtf8.GetBytes(text));
            }
        }

        if (Directory.Exists(directory))
        {
            DeleteEmptyDirectories(directory);
        }
    }

    private static string? Text(byte[] bytes)
    {
        if (bytes.Contains((byte)0))
        {
            return null;
        }

        try
        {
            // Decoded as is: a byte order mark stays a character, so it shows and round-trips.
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static string Relative(string directory, string file) => Path.GetRelativePath(directory, file).Replace('\\', '/');

    private static void DeleteEmptyDirectories(string directory)
    {
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            DeleteEmptyDirectories(child);
            if (!Directory.EnumerateFileSystemEntries(child).Any())
            {
                Directory.Delete(child);
            }
        }
    }
}
