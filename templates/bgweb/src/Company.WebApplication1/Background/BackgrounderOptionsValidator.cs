using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Background;

/// <summary>Fails start-up with a message that names the bad setting, instead of misbehaving later.</summary>
public sealed class BackgrounderOptionsValidator : IValidateOptions<BackgrounderOptions>
{
    private const string Section = BackgrounderOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, BackgrounderOptions options)
    {
        string[] failures =
        [
            .. SettingRules.AtLeastOne(options.MaxConcurrentJobs, $"{Section}:MaxConcurrentJobs"),
            .. SettingRules.AtLeastOne(options.QueueCapacity, $"{Section}:QueueCapacity"),
            .. SettingRules.AtLeastOne(options.MaxOutputLines, $"{Section}:MaxOutputLines"),
            .. SettingRules.AtLeastOne(options.MaxRetainedJobs, $"{Section}:MaxRetainedJobs"),
            .. SettingRules.Positive(options.CleanupInterval, $"{Section}:CleanupInterval"),
            .. SettingRules.Positive(options.RetentionPeriod, $"{Section}:RetentionPeriod"),
        ];
        return failures.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
