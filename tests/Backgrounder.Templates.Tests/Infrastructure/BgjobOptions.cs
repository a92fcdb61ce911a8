namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// The rows `dotnet new bgjob` is snapshotted with. Each runs against the app project of the default bgweb scaffold
/// named <see cref="App"/>, as README says to run it (in the app's project folder, after a build), so the job's
/// namespace comes from that project's RootNamespace unless --namespace overrides it.
/// </summary>
public static class BgjobOptions
{
    public const string App = "my-app";

    public const string Default = "";
    public const string Namespace = "--namespace Acme.Shop";

    public static TheoryData<string, string> Rows => new()
    {
        { "ImportOrders", Default },
        { "ImportOrders", Namespace },
    };
}
