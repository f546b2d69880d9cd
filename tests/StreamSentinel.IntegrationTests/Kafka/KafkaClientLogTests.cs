using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.IntegrationTests.Kafka;

/// <summary>librdkafka's own log lines reach <see cref="ILogger"/> (issue 21): a broker going away is no longer silent.</summary>
public sealed class KafkaClientLogTests
{
    [TestCase(SyslogLevel.Emergency, LogLevel.Critical)]
    [TestCase(SyslogLevel.Alert, LogLevel.Critical)]
    [TestCase(SyslogLevel.Critical, LogLevel.Critical)]
    [TestCase(SyslogLevel.Error, LogLevel.Error)]
    [TestCase(SyslogLevel.Warning, LogLevel.Warning)]
    [TestCase(SyslogLevel.Notice, LogLevel.Information)]
    [TestCase(SyslogLevel.Info, LogLevel.Information)]
    [TestCase(SyslogLevel.Debug, LogLevel.Debug)]
    public void Syslog_levels_map_to_log_levels(SyslogLevel syslog, LogLevel expected) =>
        Assert.That(KafkaClientLog.LevelOf(syslog), Is.EqualTo(expected));

    [Test]
    public async Task A_broker_going_away_is_logged_as_a_problem_with_the_clients_name()
    {
        var log = new RecordingLogger();
        var broker = DevelopmentBroker.Start(1, new Dictionary<string, int> { ["going-away"] = 1 }, NullLogger.Instance);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, ClientId = "log-test" })
            .LogTo(log).Build();
        var gone = false;
        try
        {
            await producer.ProduceAsync("going-away", new Message<Null, string> { Value = "before" });
            var beforeLoss = log.Problems().Count;

            broker.Dispose();
            gone = true;
            await PipelineFixture.WaitForAsync(() => Task.FromResult(log.Problems().Count > beforeLoss), TimeSpan.FromSeconds(30));

            var problems = log.Problems();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(beforeLoss, Is.Zero, () => "no warning while the broker was up:\n" + string.Join('\n', problems));
                Assert.That(problems, Is.Not.Empty, "librdkafka's lines about the lost broker reached the logger");
                Assert.That(problems, Has.All.Contains("log-test#producer-"), "each line names the client");
                Assert.That(problems, Has.Some.Match("(?i)disconnected|connection refused|brokers are down"), string.Join('\n', problems));
            }
        }
        finally
        {
            if (!gone)
            {
                broker.Dispose();
            }
        }
    }

    /// <summary>Keeps what it is given; thread-safe, since librdkafka logs from its own threads.</summary>
    private sealed class RecordingLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<string> Problems()
        {
            lock (_entries)
            {
                return [.. _entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message)];
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
