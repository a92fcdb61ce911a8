using System.Text;

namespace Company.WebApplication1.Background;

/// <summary>A job's output as <c>text/plain</c>, one line per line, refreshing itself while the job runs.</summary>
public sealed class JobOutputTextResult(Job job) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // Read the status before the lines: a job seen finished has all its lines in the page below.
        var status = job.Status;
        var page = job.Output.Read();

        var response = httpContext.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!status.IsFinished)
        {
            response.Headers["Refresh"] = "1";
        }

        var text = new StringBuilder();
        if (page.Dropped > 0)
        {
            text.Append('[').Append(page.Dropped).Append(" earlier lines dropped]\n");
        }

        foreach (var line in page.Lines)
        {
            text.Append(line).Append('\n');
        }

        await response.WriteAsync(text.ToString(), Encoding.UTF8, httpContext.RequestAborted);
    }
}
