namespace my_app.Background;

/// <summary>The work a job does: write output through the context, and stop when the token fires.</summary>
public delegate Task JobWork(JobContext context, CancellationToken cancellationToken);
