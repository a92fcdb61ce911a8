using Company.WebApplication1.Background;
using Microsoft.Extensions.Options;

namespace Company.WebApplication1.Jobs;

public sealed class SampleOptionsValidator : IValidateOptions<SampleOptions>
{
    public ValidateOptionsResult Validate(string? name, SampleOptions options)
    {
        string[] failures = [.. SettingRules.Positive(options.LongRunningInterval, $"{SampleOptions.SectionName}:LongRunningInterval")];
        return failures.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
