using my_app.Background;
using my_app.Endpoints;
using my_app.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackgrounder(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);
builder.Services.AddThreadDbViewer();

var app = builder.Build();

app.UseHttpsRedirection();

// The per-client limits of Backgrounder (starts per minute, open event streams) are the framework's rate limiter.
app.UseRateLimiter();
app.MapJobEndpoints();
app.MapHealthChecks("/healthz");
app.MapIndex();
app.MapThreadDbViewer();

app.Run();
