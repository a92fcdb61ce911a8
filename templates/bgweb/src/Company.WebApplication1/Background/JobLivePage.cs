using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace Company.WebApplication1.Background;

/// <summary>
/// What a browser gets at <c>?_t=&lt;id&gt;</c>: the output so far, rendered on the server, then growing live through
/// <see cref="JobEventStream"/> with state, a progress bar and a Cancel button, so nobody presses F5 as in the seed.
/// Without JavaScript the <c>Refresh</c> header still reloads it every second while the job runs.
/// </summary>
public sealed class JobLivePage(Job job) : IResult
{
    // Job output is shown through textContent only; never build markup from it here.
    private const string Script = """

        "use strict";
        addEventListener("load", () => {
          const page = document.body.dataset;
          if (page.finished === "true") return;

          // The Refresh header reloads the page for browsers without JavaScript; this one follows the job live.
          window.stop();

          const output = document.getElementById("output");
          const state = document.getElementById("state");
          const progress = document.getElementById("progress");
          const percent = document.getElementById("percent");
          const error = document.getElementById("error");
          const cancel = document.getElementById("cancel");

          const append = (text, className) => {
            const atEnd = innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
            const line = document.createElement("span");
            if (className) line.className = className;
            line.textContent = text + "\n";
            output.append(line);
            if (atEnd) scrollTo(0, document.documentElement.scrollHeight);
          };

          const events = new EventSource(page.events);
          // Closed for good (the job was cleaned up, say): fall back to what a reload shows, as without JavaScript.
          events.addEventListener("error", () => {
            if (events.readyState === EventSource.CLOSED) setTimeout(() => location.reload(), 1000);
          });
          events.addEventListener("line", e => append(e.data));
          events.addEventListener("dropped", e => append("[" + e.data + " earlier lines dropped]", "dropped"));
          events.addEventListener("state", e => {
            const status = JSON.parse(e.data);
            state.textContent = status.state;
            state.dataset.state = status.state;
            document.title = "Job " + page.job + ": " + status.state;
            if (status.progress !== null) {
              progress.value = status.progress;
              percent.textContent = Math.round(status.progress * 100) + " %";
              progress.hidden = percent.hidden = false;
            }
            error.textContent = status.error ?? "";
            error.hidden = !status.error;
            cancel.elements[0].disabled = status.cancelRequested;
            if (status.isFinished) {
              cancel.hidden = true;
              events.close();
            }
          });

          cancel.addEventListener("submit", e => {
            e.preventDefault();
            cancel.elements[0].disabled = true;
            fetch(cancel.action, { method: "POST" });
          });
        });

        """;

    private const string Style = """

        body { font: 15px/1.45 system-ui, sans-serif; color: #1b1b1b; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }
        h1 { font-size: 1.2rem; font-weight: 600; }
        .status { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; }
        #state { font-weight: 600; }
        #state[data-state="Succeeded"] { color: #0a7d2c; }
        #state[data-state="Failed"], #error { color: #b00020; }
        #state[data-state="Canceled"], #state[data-state="Interrupted"] { color: #8a5a00; }
        progress { width: 16rem; }
        form { margin: 0; }
        pre { background: #f6f6f6; border: 1px solid #ddd; border-radius: 4px; padding: .75rem 1rem; min-height: 3rem; white-space: pre-wrap; overflow-wrap: anywhere; }
        .dropped { color: #777; font-style: italic; }

        """;

    // Only this page's own script and style may run: output that slipped past encoding still could not.
    private static readonly string s_contentSecurityPolicy =
        $"default-src 'none'; script-src '{Sha256(Script)}'; style-src '{Sha256(Style)}'; connect-src 'self'; " +
        "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // Read the status before the lines: a job seen finished has all its lines in the page below.
        var status = job.Status;
        var page = job.Output.Read();

        var response = httpContext.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = s_contentSecurityPolicy;
        if (!status.IsFinished)
        {
            response.Headers["Refresh"] = "1";
        }

        var pathBase = httpContext.Request.PathBase;
        var next = page.FirstSequence + page.Lines.Count;
        var events = pathBase + JobEndpoints.EventsPath(job.Id) + (next > 0 ? $"?lastEventId={next - 1}" : "");
        var html = Render(status, page, events, pathBase + JobEndpoints.CancelPath(job.Id));
        await response.WriteAsync(html, Encoding.UTF8, httpContext.RequestAborted);
    }

    private string Render(JobStatus status, OutputPage page, string eventsUrl, string cancelUrl)
    {
        var html = HtmlEncoder.Default;
        var id = html.Encode(job.Id.ToString());
        var state = html.Encode(status.State.ToString());

        var lines = new StringBuilder();
        if (page.Dropped > 0)
        {
            lines.Append("<span class=\"dropped\">[").Append(page.Dropped).Append(" earlier lines dropped]\n</span>");
        }

        foreach (var line in page.Lines)
        {
            lines.Append("<span>").Append(html.Encode(line)).Append("\n</span>");
        }

        var progress = status.Progress is { } fraction
            ? $"""<progress id="progress" max="1" value="{fraction.ToString("0.####", CultureInfo.InvariantCulture)}"></progress> <span id="percent">{Math.Round(fraction * 100).ToString(CultureInfo.InvariantCulture)} %</span>"""
            : """<progress id="progress" max="1" hidden></progress> <span id="percent" hidden></span>""";

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <title>Job {{id}}: {{state}}</title>
            <style>{{Style}}</style>
            </head>
            <body data-job="{{id}}" data-events="{{html.Encode(eventsUrl)}}" data-finished="{{(status.IsFinished ? "true" : "false")}}">
            <h1>Job <code>{{id}}</code></h1>
            <div class="status">
            <span id="state" data-state="{{state}}">{{state}}</span>
            {{progress}}
            <form id="cancel" method="post" action="{{html.Encode(cancelUrl)}}"{{(status.IsFinished ? " hidden" : "")}}><button type="submit"{{(status.CancelRequested ? " disabled" : "")}}>Cancel</button></form>
            </div>
            <p id="error"{{(status.Error is null ? " hidden" : "")}}>{{html.Encode(status.Error ?? "")}}</p>
            <pre id="output">{{lines}}</pre>
            <script>{{Script}}</script>
            </body>
            </html>

            """;
    }

    private static string Sha256(string text) =>
        "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
