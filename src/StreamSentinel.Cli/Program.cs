using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.Cli.Commands;

// Piped into a file or a CI log, Spectre.Console assumes 80 columns and wraps tables mid-word: 160, or COLUMNS when
// set (the benchmarks' tables are wider than 160).
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns >= 80 ? columns : 160;
}

// The Generic Host handles SIGTERM and Ctrl+C itself and gives workers 30 s to finish a batch; System.CommandLine's
// own handler would end the process after 2 s, in the middle of that.
return await CommandLine.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
