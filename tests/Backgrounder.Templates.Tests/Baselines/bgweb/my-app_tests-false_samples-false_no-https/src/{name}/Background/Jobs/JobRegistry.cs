namespace my_app.Background;

/// <summary>
/// The job classes registered with <c>AddJob&lt;TJob&gt;()</c>, by name: what lets a job be found again by its name.
/// Two classes under one name stop start-up, naming both. A class that is not registered runs under its class name.
/// </summary>
internal sealed class JobRegistry
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = [];

    public JobRegistry(IEnumerable<JobRegistration> registrations)
    {
        foreach (var registration in registrations.DistinctBy(registration => registration.Type))
        {
            if (_byName.TryGetValue(registration.Name, out var other))
            {
                throw new InvalidOperationException(
                    $"Two job classes are registered under the name '{registration.Name}': {other.FullName} and {registration.Type.FullName}. Rename one of them.");
            }

            _byName[registration.Name] = registration.Type;
            _byType[registration.Type] = registration.Name;
        }
    }

    public IReadOnlyDictionary<string, Type> Jobs => _byName;

    public string NameOf(Type jobType) => _byType.GetValueOrDefault(jobType) ?? JobRegistration.NameOf(jobType);
}

/// <summary>One <c>AddJob&lt;TJob&gt;()</c>: the class and the name it goes by.</summary>
internal sealed record JobRegistration(string Name, Type Type)
{
    /// <summary>A job class's name: its class name, without a generic type's arity.</summary>
    public static string NameOf(Type jobType) => jobType.Name.Split('`')[0];
}
