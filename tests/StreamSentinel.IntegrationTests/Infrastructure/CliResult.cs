namespace StreamSentinel.IntegrationTests.Infrastructure;

internal sealed record CliResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}\n{Output}";
}
