using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamSentinel.Cli.Bench;

/// <summary>A worker process started by a benchmark through this same executable, with its output kept.</summary>
internal sealed partial class BenchWorker : IDisposable
{
    private readonly StringBuilder _log = new();

    private BenchWorker(Process process) => Process = process;

    public Process Process { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The worker's /metrics base URL, once it has logged it.</summary>
    public string? Url => Listening().Match(Log) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>Peak resident memory so far (VmHWM), in MB.</summary>
    public double PeakRssMb
    {
        get
        {
            var line = File.ReadLines($"/proc/{Process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    public static BenchWorker Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BenchWorker).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var worker = new BenchWorker(Process.Start(info) ?? throw new InvalidOperationException("Could not start a worker."));
        worker.Process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        worker.Process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        worker.Process.BeginOutputReadLine();
        worker.Process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until the worker logs <paramref name="text"/>; fails if it exits first.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (Process.HasExited || stopwatch.Elapsed > timeout)
            {
                throw new InvalidOperationException($"The worker did not log \"{text}\":\n{Log}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGTERM, then waits for the exit.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!Process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(cancellationToken);
        }

        await Process.WaitForExitAsync(cancellationToken);
    }

    public void Dispose() => Process.Dispose();

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    [GeneratedRegex(@"metrics on (http://\S+) ")]
    private static partial Regex Listening();
}
