namespace StreamSentinel.AnalystConsole.Fleet;

/// <summary>What the SRE page shows: each probed worker live, every worker that reports, and the stages over time.</summary>
public sealed record FleetStatus(
    DateTimeOffset CheckedAt,
    IReadOnlyList<ProbedWorker> Probed,
    IReadOnlyList<ReportingWorker> Reporting,
    IReadOnlyList<StageStep> Steps,
    int StepSeconds);

/// <summary>A worker from <c>Console:Workers</c> as its /readyz and /metrics answered just now.</summary>
public sealed record ProbedWorker(string Name, string Url, bool Ready, string Readiness, IReadOnlyList<PartitionLag> Lag);

public sealed record PartitionLag(string Topic, int Partition, long Lag);

/// <summary>A worker seen in the performance snapshots: <see cref="SecondsSilent"/> since its last one.</summary>
public sealed record ReportingWorker(
    string WorkerKind, string WorkerId, DateTimeOffset LastSnapshot, double SecondsSilent, long? Lag, long MessagesOut, long DeadLetters);

/// <summary>One stage (worker kind) in one step of time.</summary>
public sealed record StageStep(
    DateTimeOffset Step, string WorkerKind, double InPerSecond, double OutPerSecond, double? FlushP99Ms, long DeadLetters, long Lag, int Workers);
