using Company.WebApplication1.Background;
using Company.WebApplication1.Endpoints;
using Company.WebApplication1.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackgrounder(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);
//#if (Samples)
builder.Services.AddThreadDbViewer();
//#endif

var app = builder.Build();

//#if (HasHttpsProfile)
app.UseHttpsRedirection();

//#endif
// The per-client limits of Backgrounder (starts per minute, open event streams) are the framework's rate limiter.
app.UseRateLimiter();
app.MapJobEndpoints();
app.MapHealthChecks("/healthz");
//#if (Samples)
app.MapIndex();
app.MapThreadDbViewer();
//#endif
//#if (!Samples)
app.MapExample();
//#endif

app.Run();
