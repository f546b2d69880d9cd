using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace StreamSentinel.Kafka.Development;

/// <summary>
/// The few librdkafka mock-cluster functions Confluent.Kafka does not expose, called on the very native library
/// instance Confluent.Kafka loaded. Everything unsafe about the development broker lives here.
/// </summary>
/// <remarks>
/// Why not <c>[DllImport("librdkafka")]</c>: it may bind a different file than the one Confluent.Kafka fell back to
/// (on Debian the default build needs RHEL's libsasl2 and Confluent.Kafka loads its centos8 build instead), and a
/// mock cluster belongs to one library instance. So the path is read from <c>/proc/self/maps</c> once a client
/// exists, and <see cref="NativeLibrary.Load(string)"/> returns that same instance. See ../shared/INFRA.md.
/// </remarks>
internal sealed unsafe class MockClusterNative
{
    private readonly delegate* unmanaged[Cdecl]<nint, nint> _handleMockCluster;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, int, int, int> _topicCreate;
    private readonly delegate* unmanaged[Cdecl]<nint, nint> _bootstraps;
    private readonly delegate* unmanaged[Cdecl]<nint, int, void> _initialRebalanceDelay;
    private readonly delegate* unmanaged[Cdecl]<nint, int, void> _consumerSessionTimeout;

    private MockClusterNative(nint library)
    {
        _handleMockCluster = (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster");
        _topicCreate = (delegate* unmanaged[Cdecl]<nint, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        _bootstraps = (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_bootstraps");
        _initialRebalanceDelay = (delegate* unmanaged[Cdecl]<nint, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_group_initial_rebalance_delay_ms");
        _consumerSessionTimeout = (delegate* unmanaged[Cdecl]<nint, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_set_group_consumer_session_timeout_ms");
    }

    /// <summary>Binds to the librdkafka that this process has already loaded (create a client first).</summary>
    public static MockClusterNative Load()
    {
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6)
            .Select(fields => fields[5])
            .FirstOrDefault(file => Path.GetFileName(file).Contains("librdkafka", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("librdkafka is not loaded in this process: create a Kafka client before the mock cluster.");
        return new MockClusterNative(NativeLibrary.Load(path));
    }

    /// <summary>The mock cluster owned by a client built with <c>test.mock.num.brokers</c>.</summary>
    public nint ClusterOf(IClient client)
    {
        // IClient.Handle is public; the native rd_kafka_t* behind it is not. One reflective step, kept here.
        var safeHandle = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(client.Handle) as SafeHandle
            ?? throw new InvalidOperationException("This Confluent.Kafka version does not expose Handle.LibrdkafkaHandle; the development broker needs it.");
        var cluster = _handleMockCluster(safeHandle.DangerousGetHandle());
        return cluster != 0 ? cluster : throw new InvalidOperationException("The client has no mock cluster (was test.mock.num.brokers set?).");
    }

    public void CreateTopic(nint cluster, string topic, int partitions, int replicationFactor)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(topic + '\0');
        int error;
        fixed (byte* namePtr = name)
        {
            error = _topicCreate(cluster, namePtr, partitions, replicationFactor);
        }

        if (error != 0)
        {
            throw new InvalidOperationException($"Creating topic '{topic}' on the mock cluster failed: {new Error((ErrorCode)error).Reason}");
        }
    }

    public string Bootstraps(nint cluster) =>
        Marshal.PtrToStringUTF8(_bootstraps(cluster)) ?? throw new InvalidOperationException("The mock cluster has no bootstrap servers.");

    public void SetInitialRebalanceDelay(nint cluster, int milliseconds) => _initialRebalanceDelay(cluster, milliseconds);

    public void SetConsumerGroupSessionTimeout(nint cluster, int milliseconds) => _consumerSessionTimeout(cluster, milliseconds);
}
