using Spectre.Console;
using StreamSentinel.Cli.Commands;

// Piped into a file or a CI log, Spectre.Console assumes 80 columns and wraps tables mid-word.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 160;
}

return await CommandLine.Build().Parse(args).InvokeAsync();
