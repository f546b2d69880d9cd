using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Diagnostics;
using StreamSentinel.Kafka.Development;

namespace StreamSentinel.Cli.Hosting;

/// <summary>Keeps a <see cref="DevelopmentBroker"/> alive for the lifetime of the host.</summary>
internal sealed class DevelopmentBrokerService(IOptions<DevelopmentBrokerOptions> options, ILogger<DevelopmentBrokerService> logger)
    : IHostedService, IDisposable
{
    private DevelopmentBroker? _broker;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _broker = DevelopmentBroker.Start(settings, logger);
        Log.BrokerReady(
            logger,
            settings.Brokers,
            _broker.BootstrapServers,
            string.Join(", ", _broker.Topics.Select(topic => $"{topic.Key}({topic.Value})")));
        if (settings.BootstrapFile is { } path)
        {
            _broker.WriteBootstrapFile(path);
            Log.BootstrapFileWritten(logger, path);
        }

        // Also on stdout, so a script can read the address without parsing logs.
        Console.Out.WriteLine(_broker.BootstrapServers);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Log.BrokerStopping(logger);
        if (options.Value.BootstrapFile is { } path)
        {
            // A file naming ports that no longer answer would send the next client dialling forever.
            File.Delete(path);
        }

        _broker?.Dispose();
        _broker = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _broker?.Dispose();
}
