namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// The option rows the pack is tested with: every pair of values of --tests, --samples, --no-https,
/// --exclude-launch-settings and --store appears in some row (pairwise, not all 32), across both awkward names;
/// the defaults and --store redis alone are built under both names.
/// </summary>
public static class BgwebOptions
{
    public const string Default = "";
    public const string Redis = "--store redis";
    public const string NoSamplesNoHttpsNoLaunchSettingsRedis = "--samples false --no-https --exclude-launch-settings --store redis";
    public const string NoTestsNoHttpsNoLaunchSettings = "--tests false --no-https --exclude-launch-settings";
    public const string NoTestsNoSamplesNoLaunchSettingsRedis = "--tests false --samples false --exclude-launch-settings --store redis";
    public const string NoTestsNoSamplesNoHttps = "--tests false --samples false --no-https";

    public static TheoryData<string, string> Rows => new()
    {
        { "my-app", Default },
        { "Acme.Shop", Default },
        { "my-app", Redis },
        { "Acme.Shop", Redis },
        { "Acme.Shop", NoSamplesNoHttpsNoLaunchSettingsRedis },
        { "my-app", NoTestsNoHttpsNoLaunchSettings },
        { "Acme.Shop", NoTestsNoSamplesNoLaunchSettingsRedis },
        { "my-app", NoTestsNoSamplesNoHttps },
    };

    public static string[] Split(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static bool Has(string options, string flag) => options.Contains(flag, StringComparison.Ordinal);

    public static bool HasTests(string options) => !Has(options, "--tests false");

    public static bool HasSamples(string options) => !Has(options, "--samples false");

    public static bool HasRedis(string options) => Has(options, "--store redis");
}
