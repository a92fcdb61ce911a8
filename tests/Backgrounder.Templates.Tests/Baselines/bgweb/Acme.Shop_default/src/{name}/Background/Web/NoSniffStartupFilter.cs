namespace Acme.Shop.Background;

/// <summary>
/// Sends <c>X-Content-Type-Options: nosniff</c> on every response, first in the pipeline: job output is arbitrary
/// text, and no browser may guess that a text/plain page of it is HTML or script.
/// </summary>
internal sealed class NoSniffStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return nextMiddleware(context);
        });
        next(app);
    };
}
