using System.Diagnostics;

namespace StreamSentinel.AppHost.Tests;

/// <summary>Runs <c>scripts/stream-sentinel</c>, the product's one entry point, against the AppHost's stores (and <c>scripts/stack.sh</c>).</summary>
internal static class Cli
{
    private static readonly string Repository = Root();

    public static Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunScriptAsync("stream-sentinel", environment, arguments);

    public static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(Repository, "scripts", script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start scripts/{script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    private static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StreamSentinel.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No StreamSentinel.sln above {AppContext.BaseDirectory}.");
    }
}
