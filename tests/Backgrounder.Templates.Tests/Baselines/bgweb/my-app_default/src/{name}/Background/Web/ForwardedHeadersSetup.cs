using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>
/// The options of the framework's forwarded headers middleware (Program.cs calls <c>app.UseForwardedHeaders()</c>):
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed from loopback proxies (the framework's default)
/// and from those listed in <c>ForwardedHeaders:KnownProxies</c> (IP addresses) and
/// <c>ForwardedHeaders:KnownNetworks</c> (CIDR ranges). Configuration binding cannot parse addresses, so this does; a
/// bad entry stops start-up naming it.
/// </summary>
internal sealed class ForwardedHeadersSetup(IConfiguration configuration) : IConfigureOptions<ForwardedHeadersOptions>
{
    public const string SectionName = "ForwardedHeaders";

    public void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        var errors = new List<string>();
        foreach (var (setting, value) in Entries("KnownProxies"))
        {
            if (IsAddress(value, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                errors.Add($"{setting} ('{value}') is not an IP address such as 10.0.0.5 or fd00::5.");
            }
        }

        foreach (var (setting, value) in Entries("KnownNetworks"))
        {
            if (System.Net.IPNetwork.TryParse(value, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else
            {
                errors.Add($"{setting} ('{value}') is not a CIDR range such as 10.0.0.0/8 or fd00::/8.");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ForwardedHeadersOptions), errors);
        }
    }

    // IPAddress.TryParse also takes shorthand such as "10.1.2" (read as 10.1.0.2): a typo would trust the wrong host.
    private static bool IsAddress(string value, [NotNullWhen(true)] out IPAddress? address) =>
        IPAddress.TryParse(value, out address)
        && (address.AddressFamily != AddressFamily.InterNetwork || value.Count(c => c == '.') == 3);

    /// <summary>An array's entries (<c>KnownProxies:0</c>, <c>KnownProxies:1</c>, …), or a single value given as is.</summary>
    private IEnumerable<(string Setting, string Value)> Entries(string name)
    {
        var section = configuration.GetSection($"{SectionName}:{name}");
        var entries = section.GetChildren().Select(entry => (entry.Path, entry.Value ?? "")).ToList();
        if (entries.Count == 0 && !string.IsNullOrEmpty(section.Value))
        {
            entries.Add((section.Path, section.Value));
        }

        return entries;
    }
}
