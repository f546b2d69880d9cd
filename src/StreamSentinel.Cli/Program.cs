using System.CommandLine;
using Spectre.Console;
using StreamSentinel.Cli.Commands;

// Piped into a file or a CI log, Spectre.Console assumes 80 columns and wraps tables mid-word.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 160;
}

// The Generic Host handles SIGTERM and Ctrl+C itself and gives workers 30 s to finish a batch; System.CommandLine's
// own handler would end the process after 2 s, in the middle of that.
return await CommandLine.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
