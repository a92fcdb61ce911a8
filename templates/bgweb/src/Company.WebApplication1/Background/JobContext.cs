namespace Company.WebApplication1.Background;

/// <summary>What a running job can do besides its work: write output lines others can read, and say how far it is.</summary>
public sealed class JobContext(Job job)
{
    public JobId JobId => job.Id;

    /// <summary>Adds one line to the job's output. <c>Console.WriteLine</c> inside a job does the same.</summary>
    public void WriteLine(string line) => job.Output.WriteLine(line);

    /// <summary>How much is done, from 0 to 1: the live page's progress bar and the <c>progress</c> of <c>GET /jobs/{id}</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not between 0 and 1.</exception>
    public void ReportProgress(double fraction) => job.ReportProgress(fraction);
}
