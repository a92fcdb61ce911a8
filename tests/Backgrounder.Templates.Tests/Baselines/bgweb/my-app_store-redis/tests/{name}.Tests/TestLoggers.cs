using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace my_app.Tests;

/// <summary>Keeps every message logged at Warning (or the given level) or above, with its exception, for a test to read.</summary>
public sealed class CapturingLoggerProvider(LogLevel minimumLevel = LogLevel.Warning) : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(Messages, minimumLevel);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> messages, LogLevel minimumLevel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                messages.Enqueue($"{formatter(state, exception)} {exception?.GetType().Name}");
            }
        }
    }
}

/// <summary>A logger that throws on errors, as a broken sink or a full disk might.</summary>
public sealed class ThrowingLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger();

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                throw new IOException("The log sink is full.");
            }
        }
    }
}

/// <summary>Keeps the scope values around each Error log line, as a structured sink (Seq, OpenTelemetry) would see them.</summary>
public sealed class ScopeCapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    private readonly TaskCompletionSource<IReadOnlyDictionary<string, object?>> _firstError = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TaskCompletionSource _errorLogged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The scope values around every Error line so far, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, object?>> ErrorScopes { get; } = new();

    /// <summary>The scopes of the first <paramref name="count"/> Error lines, once that many are logged.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ErrorScopesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(JobWaiting.Timeout);
        while (true)
        {
            var logged = Volatile.Read(ref _errorLogged).Task;
            if (ErrorScopes.Count >= count)
            {
                return [.. ErrorScopes.Take(count)];
            }

            await logged.WaitAsync(timeout.Token);
        }
    }

    /// <summary>The scope values around the first Error line: the worker logs a failure after recording it.</summary>
    public Task<IReadOnlyDictionary<string, object?>> FirstErrorScope => _firstError.Task.WaitAsync(JobWaiting.Timeout);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(ScopeCapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = new Dictionary<string, object?>();
            provider._scopes.ForEachScope(
                static (scope, values) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            values[key] = value;
                        }
                    }
                },
                values);
            provider.ErrorScopes.Enqueue(values);
            Interlocked.Exchange(ref provider._errorLogged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            provider._firstError.TrySetResult(values);
        }
    }
}
