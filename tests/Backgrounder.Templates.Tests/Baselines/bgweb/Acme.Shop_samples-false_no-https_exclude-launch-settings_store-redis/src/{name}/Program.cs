using Acme.Shop.Background;
using Acme.Shop.Endpoints;
using Acme.Shop.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackgrounder(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);

var app = builder.Build();

// The per-client limits of Backgrounder (starts per minute, open event streams) are the framework's rate limiter.
app.UseRateLimiter();

// A form that starts a job (a POST behind .WithBackgrounder()) must carry the antiforgery token of the app's own page.
app.UseAntiforgery();
app.MapJobEndpoints();
app.MapThreadDbViewer();
app.MapHealthChecks("/healthz");
app.MapExample();

app.Run();
