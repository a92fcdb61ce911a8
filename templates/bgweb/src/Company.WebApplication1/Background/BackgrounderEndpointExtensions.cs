namespace Company.WebApplication1.Background;

public static class BackgrounderEndpointExtensions
{
    /// <summary>
    /// Applies the <c>?_t=</c> protocol to a GET endpoint whose handler starts a job through
    /// <see cref="BackgroundJobs"/>: <c>app.MapGet("/report", handler).WithBackgrounder();</c>
    /// </summary>
    public static TBuilder WithBackgrounder<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, BackgrounderFilter>();
}
