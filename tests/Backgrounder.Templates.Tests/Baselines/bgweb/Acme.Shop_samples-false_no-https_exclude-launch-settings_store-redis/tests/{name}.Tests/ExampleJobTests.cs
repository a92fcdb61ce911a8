using Acme.Shop.Jobs;

namespace Acme.Shop.Tests;

public sealed class ExampleJobTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_example_endpoint_starts_the_example_job_and_shows_its_steps()
    {
        var client = _app.CreatePlainClient();
        var location = (await client.GetAsync("/example")).Headers.Location;
        var id = BackgrounderProtocolTests.IdOf(location);

        await _app.Time.RunUntilAsync(_app.Store.WaitUntilFinishedAsync(id), TimeSpan.FromSeconds(1));

        var expected = new[] { "Example job started." }
            .Concat(Enumerable.Range(1, ExampleJob.Steps).Select(step => $"Step {step} of {ExampleJob.Steps} done."));
        Assert.Equal(string.Concat(expected.Select(line => line + "\n")), await client.GetStringAsync(location));
    }
}
