using System.Net;

namespace Acme.Shop.Tests;

/// <summary>Backgrounder:StartsPerMinutePerClient: the framework's rate limiter on starts, never on reading output.</summary>
public sealed class StartLimitTests
{
    [Fact]
    public async Task Past_the_limit_a_start_is_429_with_Retry_After_while_reading_output_goes_on()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:StartsPerMinutePerClient", "3"));
        var client = app.CreatePlainClient();
        var accepted = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            accepted.Add(await client.GetAsync(TestEndpoints.StartJob));
        }

        var refused = await client.GetAsync(TestEndpoints.StartJob);
        var reading = await client.GetAsync(accepted[0].Headers.Location);

        Assert.All(accepted, response => Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, reading.StatusCode);
        Assert.Equal(3, (await app.Store.ListAsync()).Count);
    }

    [Fact]
    public async Task Off_by_default()
    {
        using var app = new BackgrounderAppFactory(("Backgrounder:QueueCapacity", "1000"));
        var client = app.CreatePlainClient();

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync(TestEndpoints.StartJob)).StatusCode);
        }
    }
}
