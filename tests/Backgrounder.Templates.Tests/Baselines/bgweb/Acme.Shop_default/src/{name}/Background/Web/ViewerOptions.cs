namespace Acme.Shop.Background;

/// <summary>The <c>Backgrounder:Viewer</c> section: the threaddb dashboard, and who may see every job.</summary>
public sealed class ViewerOptions
{
    /// <summary>Maps <c>/threaddb</c> (on in appsettings.Development.json); outside Development only with a <see cref="Policy"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// An authorization policy of the app's: whoever passes it may open the dashboard, and every job's page, events
    /// and JSON, and cancel it, whoever owns it. Unset, only the owner rules apply.
    /// </summary>
    public string? Policy { get; set; }
}
