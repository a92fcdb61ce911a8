using Company.WebApplication1.Background;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Company.WebApplication1.Tests;

/// <summary>An app with Backgrounder and only the endpoints a test maps: for handlers the template does not have.</summary>
public static class BareApp
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
//#if (Redis)
        builder.Configuration["ConnectionStrings:Redis"] = "";
//#endif
        builder.Services.AddBackgrounder(builder.Configuration);
        return builder;
    }
}
