namespace StreamSentinel.IntegrationTests.Infrastructure;

internal sealed record CliResult(int ExitCode, string Output)
{
    /// <summary>Standard output alone: what a script reads (JSON, CSV), without the log lines of standard error.</summary>
    public string StandardOutput { get; init; } = "";

    public override string ToString() => $"exit code {ExitCode}\n{Output}";
}
