using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Company.WebApplication1.Background;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Backgrounder.Benchmarks.Throughput;

namespace Backgrounder.Benchmarks.Hosting;

/// <summary>A generic host with only the template's <c>AddBackgrounder</c>: the job pipeline without HTTP.</summary>
public static class BackgrounderHost
{
    public static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddBackgrounder(builder.Configuration);
        builder.Services.AddJob<TypedNoOpJob>();
        builder.Services.AddJob<Later.DelayProbeJob>();
        // The template's source is its --store redis app; without ConnectionStrings:Redis it keeps jobs in memory,
        // which these measures are of, and outside Development that would stop start-up.
        builder.Services.RemoveAll<IValidateOptions<RedisStoreOptions>>();
        return builder.Build();
    }
}
