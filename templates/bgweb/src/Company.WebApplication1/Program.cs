using Company.WebApplication1.Background;
using Company.WebApplication1.Endpoints;
using Company.WebApplication1.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackgrounder(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);

var app = builder.Build();

//#if (HasHttpsProfile)
app.UseHttpsRedirection();

//#endif
// The per-client limits of Backgrounder (starts per minute, open event streams) are the framework's rate limiter.
app.UseRateLimiter();

// A form that starts a job (a POST behind .WithBackgrounder()) must carry the antiforgery token of the app's own page.
app.UseAntiforgery();
app.MapJobEndpoints();
app.MapThreadDbViewer();
app.MapHealthChecks("/healthz");
//#if (Samples)
app.MapIndex();
//#endif
//#if (!Samples)
app.MapExample();
//#endif

app.Run();
