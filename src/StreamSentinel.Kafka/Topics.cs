namespace StreamSentinel.Kafka;

/// <summary>The topics of the pipeline. Every component names them from here.</summary>
public static class Topics
{
    /// <summary>Card payments, keyed by user; input of the detection workers.</summary>
    public const string Transactions = "transactions";

    /// <summary>One detection result per transaction, keyed by user; input of the persistence workers.</summary>
    public const string DetectionResults = "fraud-detection-results";

    /// <summary>Messages no worker could process, with headers that say why and where they came from.</summary>
    public const string DeadLetters = "fraud-detection-dlq";

    /// <summary>The fleet's own performance snapshots.</summary>
    public const string PerformanceMetrics = "performance-metrics";

    /// <summary>Audit events of the fleet and of analysts' actions.</summary>
    public const string AuditEvents = "audit-events";

    public static IReadOnlyList<string> All { get; } = [Transactions, DetectionResults, DeadLetters, PerformanceMetrics, AuditEvents];
}
