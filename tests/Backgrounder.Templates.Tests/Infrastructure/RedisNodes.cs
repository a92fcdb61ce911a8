using System.Net;
using System.Text.Json;

namespace Backgrounder.Templates.Tests.Infrastructure;

/// <summary>
/// Processes of one scaffolded <c>--store redis</c> app on one redis-server, under a key prefix of their own, so tests
/// sharing a server keep apart: <see cref="A"/> (<c>node-a</c>) and <see cref="B"/> (<c>node-b</c>), and any node a
/// test starts later with the same settings (<see cref="StartNodeAsync"/>). Development unless started in another
/// environment, where nodes may also be left unnamed, as deployments leave them. Disposing stops every one of them.
/// </summary>
public sealed class RedisNodes : IAsyncDisposable
{
    public const string NodeNameSetting = "Backgrounder:NodeName";

    private readonly List<RedisNode> _started = [];
    private readonly string _environment;
    private readonly (string Key, string Value)[] _shared;

    private RedisNodes(Scaffold scaffold, string environment, (string Key, string Value)[] shared) =>
        (Scaffold, _environment, _shared) = (scaffold, environment, shared);

    public Scaffold Scaffold { get; }

    public RedisNode A { get; private set; } = null!;

    public RedisNode B { get; private set; } = null!;

    /// <summary>Starts <c>node-a</c>, then <c>node-b</c>, in Development, with <paramref name="settings"/> (environment variables) on both.</summary>
    public static Task<RedisNodes> StartTwoAsync(Scaffold scaffold, RedisServer redis, params (string Key, string Value)[] settings) =>
        StartTwoAsync(scaffold, redis, "Development", named: true, settings);

    /// <summary>
    /// Starts <see cref="A"/>, then <see cref="B"/>, in <paramref name="environment"/> (Production needs
    /// <c>ConnectionStrings:Redis</c>, which every node gets), with <paramref name="settings"/> on both: named
    /// <c>node-a</c> and <c>node-b</c>, or, not <paramref name="named"/>, without <c>Backgrounder:NodeName</c>, so each
    /// takes the name it makes itself.
    /// </summary>
    public static async Task<RedisNodes> StartTwoAsync(Scaffold scaffold, RedisServer redis, string environment, bool named, params (string Key, string Value)[] settings)
    {
        var nodes = new RedisNodes(scaffold, environment,
        [
            ("ConnectionStrings:Redis", redis.ConnectionString),
            ("Backgrounder:Redis:KeyPrefix", $"e2e-{Guid.NewGuid():N}:"),
            .. settings,
        ]);
        try
        {
            nodes.A = await nodes.StartNodeAsync(named ? "node-a" : null);
            nodes.B = await nodes.StartNodeAsync(named ? "node-b" : null);
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }

        return nodes;
    }

    /// <summary>Every setting a node of this group gets, named <paramref name="nodeName"/> (null: no name set); later settings win.</summary>
    public (string Key, string Value)[] SettingsFor(string? nodeName, params (string Key, string Value)[] settings) =>
        nodeName is null ? [.. _shared, .. settings] : [.. _shared, (NodeNameSetting, nodeName), .. settings];

    /// <summary>One more process on the same Redis and prefix (a restart under a known name, say), stopped with the others.</summary>
    public async Task<RedisNode> StartNodeAsync(string? nodeName, params (string Key, string Value)[] settings)
    {
        var node = new RedisNode(nodeName, await AppProcess.StartAsync(Scaffold, _environment, SettingsFor(nodeName, settings)));
        _started.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _started)
        {
            node.Client.Dispose();
            await node.App.DisposeAsync();
        }
    }
}

/// <summary>One app process of <see cref="RedisNodes"/> and a client of its own (no redirects followed, cookies of its own).</summary>
public sealed class RedisNode(string? name, AppProcess app)
{
    /// <summary>Its <c>Backgrounder:NodeName</c>; null when it was left to name itself.</summary>
    public string? Name { get; } = name;

    public AppProcess App { get; } = app;

    public HttpClient Client { get; } = app.CreateClient();

    /// <summary>GET / (the sample's LongRunning): must answer 303; the new job's id.</summary>
    public Task<string> StartJobAsync() => StartJobAsync(Client);

    /// <summary>GET / through <paramref name="client"/> (one of this node's, with cookies of its own): must answer 303; the new job's id.</summary>
    public static async Task<string> StartJobAsync(HttpClient client)
    {
        using var start = await client.GetAsync("/");
        Assert.True(start.StatusCode == HttpStatusCode.SeeOther, $"GET / answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync()}");
        return JobIdOf(start.Headers.Location!);
    }

    /// <summary>The job id of a start's 303 Location, <c>/?_t=&lt;id&gt;</c>.</summary>
    public static string JobIdOf(Uri location) => location.OriginalString[^22..];

    public async Task<JsonElement> JsonAsync(string url) =>
        JsonDocument.Parse(await Client.GetStringAsync(url)).RootElement;

    /// <summary><c>/threaddb</c> as JSON: every job the viewer lists (it is enabled in Development).</summary>
    public async Task<JsonElement> ThreadDbAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/threaddb") { Headers = { { "Accept", "application/json" } } };
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Name}: /threaddb answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
