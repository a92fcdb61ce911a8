using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>Each job keeps at most Backgrounder:MaxOutputLines lines; the seed kept everything.</summary>
public sealed class OutputLimitTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(("Backgrounder:MaxOutputLines", "5"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Past_the_limit_the_oldest_lines_are_dropped_and_counted()
    {
        var job = _app.GetJob(_app.Jobs.Start((context, _) =>
        {
            for (var i = 0; i < 8; i++)
            {
                context.WriteLine($"line {i}");
            }

            return Task.CompletedTask;
        }));
        await job.WaitUntilFinishedAsync();

        var page = job.Output.Read();
        Assert.Equal(3, page.Dropped);
        Assert.Equal(["line 3", "line 4", "line 5", "line 6", "line 7"], page.Lines);
        Assert.Equal(8, job.Output.LineCount);

        var text = await _app.CreatePlainClient().GetStringAsync($"{TestEndpoints.StartJob}?_t={job.Id}");
        Assert.Equal("[3 earlier lines dropped]\nline 3\nline 4\nline 5\nline 6\nline 7\n", text);
    }
}
