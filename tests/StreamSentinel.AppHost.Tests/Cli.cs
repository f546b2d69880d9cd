using System.Diagnostics;

namespace StreamSentinel.AppHost.Tests;

/// <summary>Runs <c>scripts/stream-sentinel</c>, the product's one entry point, against the AppHost's stores.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var root = Root();
        var info = new ProcessStartInfo(Path.Combine(root, "scripts", "stream-sentinel"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start scripts/stream-sentinel.");
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
