using System.Text.RegularExpressions;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// The launch ports every built scaffold is given, so its files are the same on every run; snapshots show them as
/// <c>{http-port}</c> and <c>{https-port}</c>. Pinned rather than scrubbed by pattern: a random port is drawn from
/// the same range as ports the template writes as text (its README's <c>localhost:5081</c>), so no pattern can tell
/// them apart, and a draw that lands on 5081 would make the snapshot flaky. The values lie outside the generators'
/// ranges (5000–5300, 7000–7300), so no template text means them by chance; the random draw itself is tested by
/// <c>TemplateCliTests.Two_scaffolds_get_different_ports_inside_the_documented_ranges</c>.
/// </summary>
public static class PinnedPorts
{
    public const int Http = 5999;
    public const int Https = 7999;

    public const string HttpToken = "{http-port}";
    public const string HttpsToken = "{https-port}";

    private static readonly Regex PinnedPort = new($"(?<![0-9])({Http}|{Https})(?![0-9])", RegexOptions.CultureInvariant);

    /// <summary>The options that pin them: bgweb's coalesce symbols take these before their port generators.</summary>
    public static string[] Options => ["--kestrelHttpPort", $"{Http}", "--kestrelHttpsPort", $"{Https}"];

    /// <summary>The text with each pinned port, as a whole number, written as its token.</summary>
    public static string Scrub(string text) =>
        PinnedPort.Replace(text, match => match.Value == $"{Http}" ? HttpToken : HttpsToken);
}
