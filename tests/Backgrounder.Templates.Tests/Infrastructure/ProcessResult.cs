namespace Backgrounder.Templates.Tests.Infrastructure;

public sealed record ProcessResult(string CommandLine, int ExitCode, string Output)
{
    /// <summary>Fails the test with the whole output when the command did not succeed.</summary>
    public ProcessResult EnsureSuccess()
    {
        Assert.True(ExitCode == 0, $"`{CommandLine}` exited {ExitCode}:\n{Output}");
        return this;
    }
}
