namespace Company.WebApplication1.Background;

/// <summary>Checks shared by the options validators; each message names the setting as it is written in appsettings.json.</summary>
public static class SettingRules
{
    public static IEnumerable<string> AtLeastOne(int value, string setting) =>
        value >= 1 ? [] : [$"{setting} must be at least 1, but it is {value}."];

    public static IEnumerable<string> Positive(TimeSpan value, string setting) =>
        value > TimeSpan.Zero ? [] : [$"{setting} must be a positive duration such as 00:00:30, but it is {value}."];
}
