namespace Acme.Shop.Background;

/// <summary>
/// A start that cannot be taken now (the queue is full, the app is stopping) or a store that cannot be reached;
/// nothing was recorded. Code outside a request (a <c>BackgroundService</c>, a timer, a message handler) catches it
/// and tries again later. It is the framework's exception that carries a status code, so any endpoint answers 503
/// rather than 500; <c>.WithBackgrounder()</c> adds <c>Retry-After</c>.
/// </summary>
public sealed class JobsUnavailableException(string message, Exception? innerException = null)
    : BadHttpRequestException(message, StatusCodes.Status503ServiceUnavailable, innerException!);
