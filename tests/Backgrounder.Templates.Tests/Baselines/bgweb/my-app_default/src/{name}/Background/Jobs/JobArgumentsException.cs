namespace my_app.Background;

/// <summary>
/// A typed job's arguments that cannot be recorded (not serializable, or longer than
/// <see cref="BackgrounderOptions.MaxArgumentsLength"/>): nothing was recorded, and <c>.WithBackgrounder()</c> answers 400.
/// </summary>
internal sealed class JobArgumentsException(string message, Exception? innerException = null)
    : ArgumentException(message, "arguments", innerException);
