namespace Backgrounder.Benchmarks.Memory;

/// <summary>Heap, jobs held and working set around a long run of jobs with cleanup on.</summary>
public sealed record ChurnResult(
    double SteadyMiB,
    double AfterMiB,
    int JobsKept,
    int PeakJobs,
    double SteadyWorkingSetMiB,
    double PeakWorkingSetMiB,
    TimeSpan Elapsed);
