namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// The option rows the pack is tested with: every pair of values of --tests, --samples, --no-https and
/// --exclude-launch-settings appears in some row (pairwise, not all 16), across both awkward names.
/// </summary>
public static class BgwebOptions
{
    public const string Default = "";
    public const string NoSamplesNoHttpsNoLaunchSettings = "--samples false --no-https --exclude-launch-settings";
    public const string NoTestsNoHttpsNoLaunchSettings = "--tests false --no-https --exclude-launch-settings";
    public const string NoTestsNoSamplesNoLaunchSettings = "--tests false --samples false --exclude-launch-settings";
    public const string NoTestsNoSamplesNoHttps = "--tests false --samples false --no-https";

    public static TheoryData<string, string> Rows => new()
    {
        { "my-app", Default },
        { "Acme.Shop", Default },
        { "Acme.Shop", NoSamplesNoHttpsNoLaunchSettings },
        { "my-app", NoTestsNoHttpsNoLaunchSettings },
        { "Acme.Shop", NoTestsNoSamplesNoLaunchSettings },
        { "my-app", NoTestsNoSamplesNoHttps },
    };

    public static string[] Split(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static bool Has(string options, string flag) => options.Contains(flag, StringComparison.Ordinal);

    public static bool HasTests(string options) => !Has(options, "--tests false");

    public static bool HasSamples(string options) => !Has(options, "--samples false");
}
