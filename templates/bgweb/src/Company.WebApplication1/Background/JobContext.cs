namespace Company.WebApplication1.Background;

/// <summary>What a running job can do besides its work: write output lines others can read.</summary>
public sealed class JobContext(Job job)
{
    public JobId JobId => job.Id;

    /// <summary>Adds one line to the job's output. <c>Console.WriteLine</c> inside a job does the same.</summary>
    public void WriteLine(string line) => job.Output.WriteLine(line);
}
