using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>A long-running <c>stream-sentinel</c> child (a worker): its output kept for diagnostics, stoppable by signal.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Where a worker serves /healthz, /readyz and /metrics, as it logged at start.</summary>
    public Uri HttpAddress =>
        System.Text.RegularExpressions.Regex.Match(Output, @"Health, readiness and metrics on (http://[^\s,]+)") is { Success: true } match
            ? new Uri(match.Groups[1].Value)
            : throw new InvalidOperationException($"{Name} has not logged its HTTP address. Output:\n{Output}");

    public static ChildProcess Start(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(name, Infrastructure.Cli.Start(environment, arguments));

    /// <summary>kill -9: no cleanup, no commit, no goodbye to the group.</summary>
    public void Kill() => Signal("KILL");

    /// <summary>SIGTERM: the graceful stop an orchestrator sends.</summary>
    public void Terminate() => Signal("TERM");

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout || HasExited)
            {
                throw new TimeoutException($"{Name} did not print '{text}' in {timeout} (exited: {HasExited}). Output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
