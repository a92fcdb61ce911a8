namespace my_app.Tests;

/// <summary>One event as a browser's EventSource sees it, with the <c>retry:</c> it carried, if any.</summary>
public sealed record ServerSentEvent(string? Id, string Type, string Data, long? Retry = null);
