namespace StreamSentinel.Kafka.Operational;

/// <summary>Who this process is in the fleet: the kind of worker and its instance name.</summary>
public sealed record WorkerIdentity(string Kind, string Instance)
{
    /// <summary>The actor of this worker's audit events.</summary>
    public string Actor => $"{Kind}/{Instance}";
}
