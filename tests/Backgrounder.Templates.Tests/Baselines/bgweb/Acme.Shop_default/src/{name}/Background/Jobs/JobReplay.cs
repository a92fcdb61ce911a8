using System.Reflection;
using System.Text.Json;

namespace Acme.Shop.Background;

/// <summary>
/// The work of a registered job class made again from its record, for Run again: the class comes from its name, the
/// arguments from their JSON, read with the app's JSON options as they were written.
/// </summary>
internal static class JobReplay
{
    private static readonly MethodInfo s_withArguments =
        typeof(JobReplay).GetMethod(nameof(WithArguments), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static JobWork WorkFor(Type jobType, JsonElement? arguments, JsonSerializerOptions json)
    {
        if (jobType.IsAssignableTo(typeof(IJob)))
        {
            return (context, token) => ((IJob)ActivatorUtilities.GetServiceOrCreateInstance(context.Services, jobType)).RunAsync(context, token);
        }

        var argumentsType = jobType.GetInterfaces()
            .First(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IJob<>))
            .GetGenericArguments()[0];
        try
        {
            return (JobWork)s_withArguments.MakeGenericMethod(jobType, argumentsType).Invoke(null, [arguments, json])!;
        }
        catch (TargetInvocationException invocation) when (invocation.InnerException is JobArgumentsException refused)
        {
            throw refused;
        }
    }

    private static JobWork WithArguments<TJob, TArguments>(JsonElement? recorded, JsonSerializerOptions json)
        where TJob : class, IJob<TArguments>
    {
        TArguments arguments;
        try
        {
            arguments = recorded is { } element ? element.Deserialize<TArguments>(json)! : default!;
        }
        catch (JsonException exception)
        {
            throw new JobArgumentsException($"The recorded arguments no longer fit {typeof(TArguments).Name}: {exception.Message}", exception);
        }

        return (context, token) => ActivatorUtilities.GetServiceOrCreateInstance<TJob>(context.Services).RunAsync(arguments, context, token);
    }
}
