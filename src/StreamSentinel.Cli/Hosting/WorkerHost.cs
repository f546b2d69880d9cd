using System.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Commands;
using StreamSentinel.Cli.Diagnostics;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Cli.Hosting;

/// <summary>Builds and runs the Generic Host behind each <c>run</c> and one-shot command.</summary>
internal static class WorkerHost
{
    /// <param name="overrides">Values from command-line switches; null values are left out so configuration keeps its default.</param>
    public static HostApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddStackConfiguration();
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides.Where(pair => pair.Value is not null));
        }

        // A worker that cannot stop in time loses nothing (offsets are committed after writes), but it should try.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }

    /// <summary>Exit code of a process whose configuration is invalid.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>
    /// Runs a one-shot command: builds a host with <paramref name="configure"/>, runs <paramref name="action"/> on its
    /// services, and turns a configuration error into its message and exit code 2, and a server that cannot be reached
    /// or refuses (<see cref="ServerFailure"/>) into one line and exit codes 10–14, instead of a stack trace; with
    /// <c>--verbose</c> the stack trace follows that line.
    /// </summary>
    public static async Task<int> RunOneShotAsync(
        ParseResult parse, Action<HostApplicationBuilder> configure, Func<IServiceProvider, Task<int>> action, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(action);
        var verbose = parse.GetValue(CommandLine.Verbose);
        IConfiguration? configuration = null;
        try
        {
            var builder = CreateBuilder(overrides);
            configuration = builder.Configuration;
            // Standard output is the command's answer (a table, CSV, JSON a script reads); log lines go to standard error.
            builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            // librdkafka repeats a refused connection many times a second; the command reports it once (ServerFailure).
            builder.Logging.AddFilter(KafkaClientLog.Category, verbose ? LogLevel.Debug : LogLevel.None);
            configure(builder);
            using var host = builder.Build();
            return await action(host.Services);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration is invalid: " + string.Join("; ", e.Failures));
            return InvalidConfiguration;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            // A missing or outdated model file: a setting to fix, not a crash to investigate.
            await Console.Error.WriteLineAsync(e.Message);
            return InvalidConfiguration;
        }
        catch (Exception e) when (configuration is not null && ServerFailure.Classify(e, configuration) is { } failure)
        {
            await Console.Error.WriteLineAsync(failure.Describe());
            if (verbose)
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }

            return failure.ExitCode;
        }
    }

    /// <summary>Runs the host until it stops; returns the process exit code (non-zero when start-up failed).</summary>
    public static async Task<int> RunAsync(HostApplicationBuilder builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamSentinel.Cli");
        try
        {
            await host.RunAsync(cancellationToken);
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            Log.InvalidConfiguration(logger, string.Join("; ", e.Failures));
            return InvalidConfiguration;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HostFailed(logger, e);
            return 1;
        }
    }
}
