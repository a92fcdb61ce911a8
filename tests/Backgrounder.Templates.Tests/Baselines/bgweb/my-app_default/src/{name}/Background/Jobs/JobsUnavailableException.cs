namespace my_app.Background;

/// <summary>
/// A start that cannot be taken now, or a store that cannot be reached: 503. It is the framework's exception that
/// carries a status code, so any endpoint answers 503 rather than 500; <c>.WithBackgrounder()</c> adds <c>Retry-After</c>.
/// </summary>
internal sealed class JobsUnavailableException(string message, Exception? innerException = null)
    : BadHttpRequestException(message, StatusCodes.Status503ServiceUnavailable, innerException!);
