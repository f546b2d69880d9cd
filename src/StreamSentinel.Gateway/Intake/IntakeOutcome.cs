namespace StreamSentinel.Gateway.Intake;

/// <summary>What became of a transaction offered to the queue.</summary>
public enum IntakeOutcome
{
    Accepted,

    /// <summary>The whole queue is full (Kafka slower than intake): 429.</summary>
    QueueFull,

    /// <summary>This client holds its whole share of the queue: 429 for it, not for the others.</summary>
    ClientShareFull,

    /// <summary>Shutting down: 503.</summary>
    Closed,
}
