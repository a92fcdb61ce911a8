using Company.WebApplication1.Background;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>A generic host with only the template's <c>AddBackgrounder</c>: the job pipeline without HTTP.</summary>
public static class BackgrounderHost
{
    public static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddBackgrounder(builder.Configuration);
        return builder.Build();
    }
}
