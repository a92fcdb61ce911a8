using Acme.Shop.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Acme.Shop.Tests;

/// <summary>Console.WriteLine inside a job is that job's output, as <c>print</c> was in the seed, and only while the job runs.</summary>
public sealed class ConsoleCaptureTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Console_output_inside_a_job_lands_in_that_jobs_output_even_after_awaits()
    {
        var id = await _app.StartAsync(async (_, _) =>
        {
            Console.WriteLine("first");
            Console.Write("partial ");
            Console.WriteLine("line");
            Console.WriteLine("two\nlines");
            await Task.Yield();
            await Task.Run(() => Console.WriteLine("from a task the job started"));
        });

        await _app.Store.WaitUntilFinishedAsync(id);

        Assert.Equal(["first", "partial line", "two", "lines", "from a task the job started"], await _app.Store.LinesAsync(id));
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
        var ids = new[] { await _app.StartAsync(work), await _app.StartAsync(work) };

        foreach (var id in ids)
        {
            await _app.Store.WaitUntilFinishedAsync(id);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{id} {i}"), await _app.Store.LinesAsync(id));
        }
    }

    [Fact]
    public async Task A_timer_or_task_a_job_leaves_behind_no_longer_writes_into_the_ended_job()
    {
        ExecutionContext? leftBehind = null;
        var id = await _app.StartAsync((_, _) =>
        {
            Console.WriteLine("inside");

            // What a System.Threading.Timer or a forgotten task created here holds: this flow's context.
            leftBehind = ExecutionContext.Capture();
            return Task.CompletedTask;
        });
        await _app.Store.WaitUntilFinishedAsync(id);

        JobOutput? captured = null;
        ExecutionContext.Run(leftBehind!, _ =>
        {
            captured = OutputCapture.Current?.Output;
            Console.WriteLine("after the end");
        }, null);

        Assert.Null(captured);
        Assert.Equal(["inside"], await _app.Store.LinesAsync(id));
    }

    [Fact]
    public async Task What_a_handler_left_behind_writes_after_its_request_enters_no_job()
    {
        ExecutionContext? leftBehind = null;
        using var app = AppWithStart(async jobs =>
        {
            Console.WriteLine("before the job");
            await jobs.StartAsync((_, _) => Task.CompletedTask);
            leftBehind = ExecutionContext.Capture();
        });
        var response = await app.CreatePlainClient().GetAsync("/start");
        var id = BackgrounderProtocolTests.IdOf(response.Headers.Location);
        var store = app.Store;
        await store.WaitUntilFinishedAsync(id);

        JobOutput? captured = null;
        ExecutionContext.Run(leftBehind!, _ =>
        {
            captured = OutputCapture.Current?.Output;
            Console.WriteLine("after the request");
        }, null);

        Assert.Null(captured);
        Assert.Equal(["before the job"], await store.LinesAsync(id));
    }

    [Fact]
    public async Task A_handler_that_starts_two_jobs_at_once_gives_its_lines_to_one_of_them_only()
    {
        var ids = new List<JobId>();
        using var app = AppWithStart(async jobs =>
        {
            Console.WriteLine("from the handler");
            ids.AddRange(await Task.WhenAll(
                jobs.StartAsync((context, _) => { Console.WriteLine($"job {context.JobId}"); return Task.CompletedTask; }),
                jobs.StartAsync((context, _) => { Console.WriteLine($"job {context.JobId}"); return Task.CompletedTask; })));
        });

        await app.CreatePlainClient().GetAsync("/start");

        var store = app.Store;
        var outputs = new List<IReadOnlyList<string>>();
        foreach (var id in ids)
        {
            await store.WaitUntilFinishedAsync(id);
            var lines = await store.LinesAsync(id);
            Assert.Contains($"job {id}", lines);
            outputs.Add(lines);
        }

        Assert.Single(outputs, lines => lines.Contains("from the handler"));
        Assert.All(outputs, lines => Assert.Single(lines, line => line.StartsWith("job ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Lines_of_an_output_no_job_took_go_to_stdout_rather_than_nowhere()
    {
        var stdout = new StringWriter();
        var output = new JobOutput(_app.Store, _app.Services.GetRequiredService<IOptions<BackgrounderOptions>>().Value, _app.Time, stdout);

        output.Write("printed by a handler that started no job", endLine: true);
        output.Write("and half a line");
        await output.CloseAsync();

        Assert.Equal($"printed by a handler that started no job{Environment.NewLine}and half a line{Environment.NewLine}", stdout.ToString());
    }

    [Fact]
    public async Task Once_closed_an_output_sends_what_is_written_to_stdout()
    {
        var stdout = new StringWriter();
        var id = await _app.StartAsync((_, _) => Task.CompletedTask);
        await _app.Store.WaitUntilFinishedAsync(id);
        var output = new JobOutput(_app.Store, _app.Services.GetRequiredService<IOptions<BackgrounderOptions>>().Value, _app.Time, stdout);
        output.Attach(id);
        await output.CloseAsync();

        output.WriteLine("late");

        Assert.Equal($"late{Environment.NewLine}", stdout.ToString());
    }

    [Fact]
    public void Console_output_outside_a_job_reaches_the_real_stdout()
    {
        var stdout = new StringWriter();
        var router = new ConsoleRouter(stdout);

        router.WriteLine("outside");
        router.Write('x');
        router.WriteLine();

        Assert.Equal($"outside{Environment.NewLine}x{Environment.NewLine}", stdout.ToString());
    }

    [Fact]
    public async Task Console_output_outside_a_job_never_waits_for_a_writer_someone_else_can_hold()
    {
        // A console logger made before the router writes through the previous Console.Out and, inside its lock, waits
        // for Console.Out's (the runtime's console stream takes it). The router holds Console.Out's lock when it
        // writes to stdout, so it must never wait there for a writer another thread may hold: both would wait forever.
        ConsoleRouter.Install();
        var stdout = ConsoleRouter.Stdout;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = Task.Factory.StartNew(
            () =>
            {
                lock (stdout)
                {
                    held.SetResult();
                    release.Task.Wait();
                }
            },
            TaskCreationOptions.LongRunning);
        await held.Task;

        try
        {
            await Task.Run(() => Console.WriteLine("Console output outside a job, while a logger holds its writer.")).WaitAsync(JobWaiting.Timeout);
        }
        finally
        {
            release.SetResult();
            await holder;
        }
    }

    /// <summary>The app with one more endpoint, <c>GET /start</c>, whose handler the test writes.</summary>
    private static BackgrounderAppFactory AppWithStart(Func<BackgroundJobs, Task> handler) => new()
    {
        MapTestEndpoints = endpoints => endpoints.MapGet("/start", (BackgroundJobs jobs) => handler(jobs)).WithBackgrounder(),
    };
}
