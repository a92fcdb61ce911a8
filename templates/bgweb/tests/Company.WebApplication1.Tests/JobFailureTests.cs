using System.Net;
using Company.WebApplication1.Background;

namespace Company.WebApplication1.Tests;

/// <summary>The seed lost a failing thread silently; here the job ends Failed and says why.</summary>
public sealed class JobFailureTests : IDisposable
{
    private readonly BackgrounderAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_job_that_throws_ends_Failed_with_the_exception_as_its_last_line()
    {
        var job = _app.GetJob(_app.Jobs.Start(async (context, _) =>
        {
            context.WriteLine("working");
            await Task.Yield();
            throw new InvalidOperationException("disk full");
        }));

        await job.WaitUntilFinishedAsync();

        Assert.Equal(JobState.Failed, job.Status.State);
        Assert.Equal(["working", "Job failed: InvalidOperationException: disk full"], job.Output.Read().Lines);
        var text = await _app.CreatePlainClient().GetStringAsync($"{TestEndpoints.StartJob}?_t={job.Id}");
        Assert.EndsWith("Job failed: InvalidOperationException: disk full\n", text);
    }

    [Fact]
    public async Task A_job_that_throws_before_returning_a_task_is_recorded_too()
    {
        var job = _app.GetJob(_app.Jobs.Start((_, _) => throw new ArgumentException("bad input")));

        await job.WaitUntilFinishedAsync();

        Assert.Equal(JobState.Failed, job.Status.State);
        Assert.Equal("Job failed: ArgumentException: bad input", job.Output.Read().Lines[^1]);
    }

    [Fact]
    public async Task The_app_keeps_serving_after_a_job_fails()
    {
        var failed = _app.GetJob(_app.Jobs.Start((_, _) => throw new InvalidOperationException("boom")));
        await failed.WaitUntilFinishedAsync();

        var response = await _app.CreatePlainClient().GetAsync(TestEndpoints.StartJob);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
    }
}
