using my_app.Background;

namespace my_app.Tests;

/// <summary>A job's output is bounded in lines, bytes and line length; the seed kept everything.</summary>
public sealed class OutputLimitTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new(
        ("Backgrounder:MaxOutputLines", "5"),
        ("Backgrounder:MaxLineLength", "16"),
        ("Backgrounder:MaxOutputBytes", "200"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Past_the_line_limit_the_oldest_lines_are_dropped_and_counted()
    {
        var id = await FinishedJobAsync(context =>
        {
            for (var i = 0; i < 8; i++)
            {
                context.WriteLine($"line {i}");
            }
        });

        var status = await _app.Store.StatusAsync(id);
        Assert.Equal(3, status.Dropped);
        Assert.Equal(8, status.LineCount);
        var text = await _app.CreatePlainClient().GetStringAsync($"{TestEndpoints.StartJob}?_t={id}");
        Assert.Equal("[3 earlier lines dropped]\nline 3\nline 4\nline 5\nline 6\nline 7\n", text);
    }

    [Fact]
    public async Task A_line_longer_than_MaxLineLength_is_cut_there_marked_and_continued()
    {
        var id = await FinishedJobAsync(context => context.WriteLine("0123456789abcdefXYZ"));

        Assert.Equal(["0123456789abcdef" + LineAssembler.CutMark, "XYZ"], await _app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task A_partial_line_that_reaches_MaxLineLength_shows_at_once_instead_of_growing_unseen()
    {
        var script = new ScriptedJob();
        var id = await _app.StartAsync(script.RunAsync);
        for (var i = 0; i < 40; i++)
        {
            script.Then(_ => Console.Write("."));
        }

        var status = await _app.Store.WaitForLinesAsync(id, 2);

        Assert.Equal([new string('.', 16) + LineAssembler.CutMark, new string('.', 16) + LineAssembler.CutMark], (await _app.Store.LinesAsync(id)).Take(2));
        Assert.Equal(JobState.Running, status.State);
        script.Finish();
        await _app.Store.WaitUntilFinishedAsync(id);
        Assert.Equal(new string('.', 8), (await _app.Store.LinesAsync(id))[^1]);
    }

    [Fact]
    public async Task A_surrogate_pair_is_never_cut_in_half()
    {
        var id = await FinishedJobAsync(context => context.WriteLine(new string('a', 15) + "😀" + "b"));

        Assert.Equal([new string('a', 15) + LineAssembler.CutMark, "😀b"], await _app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task Past_MaxOutputBytes_the_oldest_lines_go_whatever_the_line_count()
    {
        var id = await FinishedJobAsync(context =>
        {
            // Three-byte characters: five lines of fifteen are 225 bytes, over the 200 allowed.
            for (var i = 0; i < 5; i++)
            {
                context.WriteLine(new string('€', 15));
            }
        });

        var status = await _app.Store.StatusAsync(id);
        Assert.Equal(1, status.Dropped);
        Assert.Equal(4, (await _app.Store.LinesAsync(id)).Count);
    }

    private async Task<JobId> FinishedJobAsync(Action<JobContext> work)
    {
        var id = await _app.StartAsync((context, _) =>
        {
            work(context);
            return Task.CompletedTask;
        });
        await _app.Store.WaitUntilFinishedAsync(id);
        return id;
    }
}
