using System.Net;
using my_app.Background;

namespace my_app.Tests;

/// <summary>Hostile or careless requests get a clear 4xx, never a 5xx, and start nothing.</summary>
public sealed class BadInputTests : IAsyncLifetime, IDisposable
{
    private const string Unknown = "{unknown}";
    private const string Finished = "{finished}";
    private const string Removed = "{removed}";
    private static readonly string TooLong = new('A', 10 * 1024);

    private readonly BackgrounderAppFactory _app = new();
    private readonly Dictionary<string, string> _ids = [];

    /// <summary>Method, URL, an Accept header (or "prefetch"), and the expected status.</summary>
    public static TheoryData<string, string, string?, int> Cases => new()
    {
        // The ?_t= protocol on the endpoint that starts jobs.
        { "GET", "{start}?_t=", null, 400 },
        { "GET", "{start}?_t=abc", null, 400 },
        { "GET", $"{{start}}?_t={TooLong}", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAA!!", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAA%2B%2F", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAAA", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAAAAA", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAAAB", null, 400 },
        { "GET", "{start}?_t=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", null, 400 },
        { "GET", "{start}?_t=%F0%9F%98%80AAAAAAAAAAAAAAAAAAAA", null, 400 },
        { "GET", "{start}?_t=%00", null, 400 },
        { "GET", "{start}?_t=AAAAAAAAAAAAAAAAAAAAA%00", null, 400 },
        { "GET", "{start}?_t={finished}&_t={finished}", null, 400 },
        { "GET", "{start}?_t={unknown}", null, 404 },
        { "GET", "{start}?_t={removed}", null, 404 },
        { "GET", "{start}?_t={removed}", "text/html", 404 },

        // GET /jobs/{id}
        { "GET", "/jobs/abc", null, 400 },
        { "GET", $"/jobs/{TooLong}", null, 400 },
        { "GET", "/jobs/%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", null, 400 },
        { "GET", "/jobs/AAAAAAAAAAAAAAAAAAAAA%20", null, 400 },
        { "GET", "/jobs/{unknown}", null, 404 },
        { "GET", "/jobs/{removed}", null, 404 },
        { "GET", "/jobs/{finished}?from=-1", null, 400 },
        { "GET", "/jobs/{finished}?from=abc", null, 400 },
        { "GET", "/jobs/{finished}?from=99999999999999999999999", null, 400 },
        { "GET", "/jobs/{finished}?from=1.5", null, 400 },

        // GET /jobs/{id}/events
        { "GET", "/jobs/abc/events", null, 400 },
        { "GET", "/jobs/{unknown}/events", null, 404 },
        { "GET", "/jobs/{removed}/events", null, 404 },
        { "GET", "/jobs/{finished}/events?lastEventId=-3", null, 400 },
        { "GET", "/jobs/{finished}/events?lastEventId=x", null, 400 },

        // POST /jobs/{id}/cancel
        { "POST", "/jobs/abc/cancel", null, 400 },
        { "POST", "/jobs/{unknown}/cancel", null, 404 },
        { "POST", "/jobs/{removed}/cancel", null, 404 },
        { "POST", "/jobs/{finished}/cancel", null, 409 },

        // Link prefetchers start nothing.
        { "GET", "{start}", "prefetch", 403 },

        // Wrong methods on every endpoint.
        { "POST", "{start}", null, 405 },
        { "PUT", "{start}", null, 405 },
        { "DELETE", "{start}", null, 405 },
        { "POST", "/jobs/{finished}", null, 405 },
        { "DELETE", "/jobs/{finished}", null, 405 },
        { "PUT", "/jobs/{finished}", null, 405 },
        { "POST", "/jobs/{finished}/events", null, 405 },
        { "GET", "/jobs/{finished}/cancel", null, 405 },
        { "PUT", "/jobs/{finished}/cancel", null, 405 },
        { "DELETE", "/jobs/{finished}/cancel", null, 405 },
        { "DELETE", "{start}?_t={finished}", null, 405 },
        { "GET", "/no-such-page", null, 404 },
    };

    public async Task InitializeAsync()
    {
        _ids[Unknown] = JobId.New().ToString();
        var removed = await _app.StartAsync((_, _) => Task.CompletedTask);
        await _app.Store.WaitUntilFinishedAsync(removed);
        _app.Time.Advance(TimeSpan.FromHours(2));
        await _app.Store.RemoveExpiredAsync();
        Assert.Null(await _app.Store.GetAsync(removed));
        _ids[Removed] = removed.ToString();
        var finished = await _app.StartAsync((_, _) => Task.CompletedTask);
        await _app.Store.WaitUntilFinishedAsync(finished);
        _ids[Finished] = finished.ToString();
        _ids["{start}"] = TestEndpoints.StartJob;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_clear_4xx_and_starts_no_job(string method, string url, string? header, int expected)
    {
        var jobsBefore = (await _app.Store.ListAsync()).Count;
        using var request = new HttpRequestMessage(new HttpMethod(method), Resolve(url));
        if (header == "prefetch")
        {
            request.Headers.Add("Sec-Purpose", "prefetch");
        }
        else if (header is not null)
        {
            request.Headers.Accept.ParseAdd(header);
        }

        using var response = await _app.CreatePlainClient().SendAsync(request);

        Assert.Equal((HttpStatusCode)expected, response.StatusCode);
        Assert.Equal(jobsBefore, (await _app.Store.ListAsync()).Count);
    }

    private string Resolve(string url)
    {
        foreach (var (placeholder, value) in _ids)
        {
            url = url.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return url;
    }
}
