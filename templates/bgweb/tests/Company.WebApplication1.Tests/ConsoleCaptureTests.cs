using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>Console.WriteLine inside a job is that job's output, as <c>print</c> was in the seed.</summary>
public sealed class ConsoleCaptureTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Console_output_inside_a_job_lands_in_that_jobs_output_even_after_awaits()
    {
        var id = _app.Jobs.Start(async (_, _) =>
        {
            Console.WriteLine("first");
            Console.Write("partial ");
            Console.WriteLine("line");
            await Task.Yield();
            await Task.Run(() => Console.WriteLine("from a task the job started"));
        });
        var job = _app.GetJob(id);

        await job.WaitUntilFinishedAsync();

        Assert.Equal(["first", "partial line", "from a task the job started"], job.Output.Read().Lines);
    }

    [Fact]
    public async Task Jobs_running_at_once_keep_their_output_apart()
    {
        using var bothWriting = new Barrier(2);
        JobWork work = (context, _) => Task.Run(() =>
        {
            bothWriting.SignalAndWait(JobWaiting.Timeout);
            for (var i = 0; i < 100; i++)
            {
                Console.WriteLine($"{context.JobId} {i}");
            }
        });
        var jobs = new[] { _app.Jobs.Start(work), _app.Jobs.Start(work) }.Select(_app.GetJob).ToList();

        foreach (var job in jobs)
        {
            await job.WaitUntilFinishedAsync();
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{job.Id} {i}"), job.Output.Read().Lines);
        }
    }

    [Fact]
    public void Console_output_outside_a_job_reaches_the_real_stdout()
    {
        var stdout = new StringWriter();
        var router = new JobConsoleRouter(stdout);
        var output = new JobOutput(maxLines: 10);

        router.WriteLine("outside");
        using (OutputCapture.Begin(output))
        {
            router.WriteLine("inside");
        }

        router.WriteLine("outside again");

        Assert.Equal($"outside{Environment.NewLine}outside again{Environment.NewLine}", stdout.ToString());
        Assert.Equal(["inside"], output.Read().Lines);
    }
}
