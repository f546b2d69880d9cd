using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Kafka.Development;

/// <summary>
/// A Kafka cluster for development and tests: librdkafka's mock cluster, hosted in this process and reached by
/// other processes over TCP on 127.0.0.1. It is real enough for producers, consumer groups and committed offsets,
/// and it is not Kafka: data lives in memory only, each partition keeps about 5 MiB, and transactions are not
/// emulated. See README.md, "Kafka: the development broker".
/// </summary>
public sealed class DevelopmentBroker : IDisposable
{
    // The mock cluster lives as long as the client that created it.
    private readonly IProducer<Null, Null> _owner;

    private DevelopmentBroker(IProducer<Null, Null> owner, string bootstrapServers, IReadOnlyDictionary<string, int> topics)
    {
        _owner = owner;
        BootstrapServers = bootstrapServers;
        Topics = topics;
    }

    public string BootstrapServers { get; }

    /// <summary>Topic name to partition count, as created.</summary>
    public IReadOnlyDictionary<string, int> Topics { get; }

    /// <summary>Starts the cluster and creates the pipeline's topics.</summary>
    public static DevelopmentBroker Start(DevelopmentBrokerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var topics = Kafka.Topics.All.ToDictionary(
            topic => topic,
            topic => topic is Kafka.Topics.Transactions or Kafka.Topics.DetectionResults ? options.PipelinePartitions : options.AuxiliaryPartitions);
        return Start(options.Brokers, topics, logger, options.GroupSessionTimeoutMs);
    }

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers with the given topics; the cluster's own log lines go to <paramref name="logger"/>.</summary>
    public static DevelopmentBroker Start(int brokers, IReadOnlyDictionary<string, int> topics, ILogger logger, int groupSessionTimeoutMs = 6000)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var config = new ProducerConfig { ClientId = "stream-sentinel-dev-broker", LogConnectionClose = false };
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var owner = new ProducerBuilder<Null, Null>(config).LogTo(logger).Build();
        try
        {
            var native = MockClusterNative.Load();
            var cluster = native.ClusterOf(owner);
            native.SetInitialRebalanceDelay(cluster, 0);
            native.SetConsumerGroupSessionTimeout(cluster, groupSessionTimeoutMs);
            var replication = Math.Min(3, brokers);
            foreach (var (topic, partitions) in topics)
            {
                native.CreateTopic(cluster, topic, partitions, replication);
            }

            return new DevelopmentBroker(owner, native.Bootstraps(cluster), topics);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Writes <see cref="BootstrapServers"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void WriteBootstrapFile(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, BootstrapServers + Environment.NewLine);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => _owner.Dispose();
}
