using System.Diagnostics;
using System.Text;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>Runs <c>scripts/stream-sentinel</c>, the product's one entry point, as a user would.</summary>
internal static class Cli
{
    public static string Script => RepositoryRoot.Combine("scripts", "stream-sentinel");

    /// <summary>Runs to completion and returns the exit code, the combined output and standard output alone.</summary>
    public static Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunAsync(environment, TimeSpan.FromMinutes(4), arguments);

    /// <summary>Runs to completion (failing after <paramref name="timeout"/>) and returns the exit code and the combined output.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        var output = new StringBuilder();
        var standardOutput = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            Append(output, e.Data);
            Append(standardOutput, e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"stream-sentinel {string.Join(' ', arguments)} did not finish in {timeout}. Output so far:\n{output}");
        }

        // WaitForExitAsync returns before the last asynchronous output lines are delivered; this waits for them.
        process.WaitForExit();
        lock (output)
        {
            lock (standardOutput)
            {
                return new CliResult(process.ExitCode, output.ToString()) { StandardOutput = standardOutput.ToString() };
            }
        }
    }

    /// <summary>Starts a long-running command (e.g. <c>run broker</c>); the caller stops it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start scripts/stream-sentinel.");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
