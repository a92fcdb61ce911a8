namespace Company.WebApplication1.Tests;

/// <summary>One event as a browser's EventSource sees it; a comment (the heartbeat) has the type "comment".</summary>
public sealed record ServerSentEvent(string? Id, string Type, string Data);
