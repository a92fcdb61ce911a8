using System.Buffers;
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
        if (!status.IsFinished)
        {
            response.Headers["Refresh"] = "1";
        }

        // Straight into the response pipe, with the length up front: no text is built, however long the output.
        var dropped = page.Dropped > 0 ? $"[{page.Dropped} earlier lines dropped]\n" : "";
        var length = (long)Encoding.UTF8.GetByteCount(dropped) + page.Lines.Count;
        foreach (var line in page.Lines)
        {
            length += Encoding.UTF8.GetByteCount(line);
        }

        response.ContentLength = length;
        await response.StartAsync(httpContext.RequestAborted);
        var pipe = response.BodyWriter;
        Encoding.UTF8.GetBytes(dropped, pipe);
        foreach (var line in page.Lines)
        {
            Encoding.UTF8.GetBytes(line, pipe);
            pipe.Write("\n"u8);
        }

        await pipe.FlushAsync(httpContext.RequestAborted);
    }
}
