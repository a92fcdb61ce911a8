using Acme.Shop.Background;
using Acme.Shop.Endpoints;
using Acme.Shop.Jobs;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackgrounder(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);

var app = builder.Build();

// Behind a reverse proxy: the client's address and scheme come from X-Forwarded-For and X-Forwarded-Proto, believed
// from loopback proxies and those in ForwardedHeaders:KnownProxies and ForwardedHeaders:KnownNetworks.
app.UseForwardedHeaders();

// The per-client limits of Backgrounder (starts per minute, open event streams) are the framework's rate limiter.
app.UseRateLimiter();

// A form that starts a job (a POST behind .WithBackgrounder()) must carry the antiforgery token of the app's own page.
app.UseAntiforgery();
app.MapJobEndpoints();
app.MapThreadDbViewer();
// Liveness (the process answers; nothing external is checked) and readiness (the store takes writes, the queue has room).
app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/healthz");
app.MapExample();

app.Run();
