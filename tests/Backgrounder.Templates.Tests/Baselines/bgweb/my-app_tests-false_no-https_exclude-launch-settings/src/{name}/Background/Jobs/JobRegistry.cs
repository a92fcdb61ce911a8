using System.Collections.Concurrent;

namespace my_app.Background;

/// <summary>
/// The job classes registered with <c>AddJob&lt;TJob&gt;()</c>, by name: what lets a job be found again by its name
/// (Run again, a due job, a retry). Two classes under one name, or a class whose <see cref="RetryAttribute"/> is not
/// valid, stop start-up naming them. A class that is not registered runs under its class name; once started here it
/// is known here too, so its retries run on this node.
/// </summary>
internal sealed class JobRegistry
{
    private readonly Dictionary<string, Type> _registered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Type> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, (string Name, RetryPolicy? Retry)> _byType = [];

    public JobRegistry(IEnumerable<JobRegistration> registrations)
    {
        foreach (var registration in registrations.DistinctBy(registration => registration.Type))
        {
            if (_registered.TryGetValue(registration.Name, out var other))
            {
                throw new InvalidOperationException(
                    $"Two job classes are registered under the name '{registration.Name}': {other.FullName} and {registration.Type.FullName}. Rename one of them.");
            }

            _registered[registration.Name] = registration.Type;
            _known[registration.Name] = registration.Type;
            _byType[registration.Type] = (registration.Name, RetryPolicy.Of(registration.Type, registration.Name));
        }
    }

    /// <summary>The registered classes by name.</summary>
    public IReadOnlyDictionary<string, Type> Jobs => _registered;

    /// <summary>The names this node runs due jobs of: the registered ones, and classes started here without registration.</summary>
    public ICollection<string> KnownNames => _known.Keys;

    public bool IsRegistered(Type jobType) => _byType.TryGetValue(jobType, out var known) && _registered.ContainsKey(known.Name);

    /// <summary>The class known under <paramref name="name"/> on this node; null when none is.</summary>
    public Type? Find(string name) => _known.GetValueOrDefault(name);

    public string NameOf(Type jobType) => Describe(jobType).Name;

    /// <summary>The class's retry policy; for a class that is not registered it is read at its first start.</summary>
    /// <exception cref="InvalidOperationException">Its <see cref="RetryAttribute"/> is not valid.</exception>
    public RetryPolicy? RetryOf(Type jobType) => Describe(jobType).Retry;

    private (string Name, RetryPolicy? Retry) Describe(Type jobType) =>
        _byType.TryGetValue(jobType, out var known) ? known : Learn(jobType);

    private (string Name, RetryPolicy? Retry) Learn(Type jobType)
    {
        var name = JobRegistration.NameOf(jobType);
        var retry = RetryPolicy.Of(jobType, name);

        // A name another class goes by stays that class's: this one runs under it, but is never found by it again,
        // so it gets no retries (the other class would run them).
        var findable = _known.GetOrAdd(name, jobType) == jobType;
        return _byType.GetOrAdd(jobType, (name, findable ? retry : null));
    }
}

/// <summary>One <c>AddJob&lt;TJob&gt;()</c>: the class and the name it goes by.</summary>
internal sealed record JobRegistration(string Name, Type Type)
{
    /// <summary>A job class's name: its class name, without a generic type's arity.</summary>
    public static string NameOf(Type jobType) => jobType.Name.Split('`')[0];
}
