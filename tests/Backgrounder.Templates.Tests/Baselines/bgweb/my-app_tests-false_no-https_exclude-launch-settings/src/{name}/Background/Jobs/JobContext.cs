namespace my_app.Background;

/// <summary>What a running job can do besides its work: write output lines others can read, say how far it is, and reach its services.</summary>
public sealed class JobContext
{
    // How far outside [0, 1] a computed fraction such as done / (double)total may land by rounding alone.
    private const double RoundingTolerance = 1e-9;

    private readonly JobRun _run;

    internal JobContext(JobRun run, IServiceProvider services) => (_run, Services) = (run, services);

    public JobId JobId => _run.Id;

    /// <summary>The job's name, as its record, the dashboard and the logs show it.</summary>
    public string JobName => _run.Name;

    /// <summary>Which attempt this run is: 1 for the first, 2 for the first retry of a class with <see cref="RetryAttribute"/>.</summary>
    public int Attempt => _run.Attempt;

    /// <summary>
    /// This run's own DI scope: resolve scoped services (a <c>DbContext</c>) here, never from a request's scope,
    /// which ends with the request. It is disposed once the job's final state is recorded.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>Adds one line to the job's output. <c>Console.WriteLine</c> inside a job does the same.</summary>
    public void WriteLine(string line) => _run.Output.WriteLine(line ?? string.Empty);

    /// <summary>How much is done, from 0 to 1: the live page's progress bar and the <c>progress</c> of <c>GET /jobs/{id}</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not between 0 and 1.</exception>
    public void ReportProgress(double fraction)
    {
        if (!(fraction is >= -RoundingTolerance and <= 1 + RoundingTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Progress is a fraction from 0 to 1.");
        }

        _run.Output.ReportProgress(Math.Clamp(fraction, 0, 1));
    }
}
