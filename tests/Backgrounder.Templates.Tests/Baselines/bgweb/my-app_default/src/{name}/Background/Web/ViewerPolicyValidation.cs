using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace my_app.Background;

/// <summary>An unknown <c>Backgrounder:Viewer:Policy</c> stops start-up, rather than fail the first request that asks for it.</summary>
internal sealed class ViewerPolicyValidation(IAuthorizationPolicyProvider policies) : IValidateOptions<BackgrounderOptions>
{
    public ValidateOptionsResult Validate(string? name, BackgrounderOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Viewer.Policy)
            || policies.GetPolicyAsync(options.Viewer.Policy).GetAwaiter().GetResult() is not null)
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"Backgrounder:Viewer:Policy names the authorization policy '{options.Viewer.Policy}', but no such policy is registered (AddAuthorization(o => o.AddPolicy(...))).");
    }
}
