namespace Company.WebApplication1.Background;

/// <summary>Thrown by <see cref="BackgroundJobs.Start"/> when every queue slot is taken; <c>WithBackgrounder</c> answers 503.</summary>
public sealed class JobQueueFullException(int capacity)
    : InvalidOperationException($"The job queue is full ({capacity} jobs waiting); try again shortly.");
