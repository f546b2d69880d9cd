using System.Diagnostics;
using System.Globalization;

namespace StreamSentinel.AppHost;

/// <summary>
/// The servers of scripts/stack.sh (Debian's PostgreSQL, Redis and ClickHouse), which stays their single source of
/// truth: it installs and initialises them (<c>prepare</c>), says where they listen (<c>layout</c>), and runs each in
/// the foreground for Aspire (<c>serve</c>), with the same binaries, data directories and ports as <c>up</c>.
/// </summary>
internal sealed class LocalStack
{
    private LocalStack(string script, string repository, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> layout)
    {
        Script = script;
        Repository = repository;
        Environment = environment;
        Layout = layout;
    }

    public string Script { get; }

    public string Repository { get; }

    /// <summary>What every stack.sh call gets: the stack's directory and port offset.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public IReadOnlyDictionary<string, string> Layout { get; }

    public int Port(string key) => int.Parse(Layout[key], CultureInfo.InvariantCulture);

    /// <summary>Runs <c>stack.sh prepare</c> (installing what is missing) and reads its layout.</summary>
    public static LocalStack Prepare(string repository, StackSettings settings)
    {
        var script = Path.Combine(repository, "scripts", "stack.sh");
        var environment = new Dictionary<string, string>
        {
            ["SS_STACK_DIR"] = string.IsNullOrEmpty(settings.Directory) ? Path.Combine(repository, ".stack") : Path.GetFullPath(settings.Directory),
            ["SS_STACK_PORT_OFFSET"] = settings.PortOffset.ToString(CultureInfo.InvariantCulture),
        };
        Run(script, environment, "prepare");
        var layout = Run(script, environment, "layout")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        return new LocalStack(script, repository, environment, layout);
    }

    private static string Run(string script, Dictionary<string, string> environment, string command)
    {
        var start = new ProcessStartInfo(script, [command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"{script} {command} failed (exit {process.ExitCode}): {errors.Result.Trim()}");
    }
}
