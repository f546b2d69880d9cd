namespace StreamSentinel.Kafka;

/// <summary>Headers the workers set on the messages they produce (dead-letter headers are in <c>DeadLetterPublisher</c>).</summary>
public static class MessageHeaders
{
    /// <summary>
    /// On a result: its transaction was delivered to detection again (after a crash or a rebalance) and this result
    /// may repeat one already published. The persistence fleet stores such a result only if its event is not stored
    /// yet; without the header it needs no such check.
    /// </summary>
    public const string MayRepeat = "ss-may-repeat";

    /// <summary>
    /// On a transaction: the client that sent it to the gateway (its identity from its credential, e.g. <c>client-0</c>;
    /// issue 18). A header rather than a field, so the contract and the event id stay as they are.
    /// </summary>
    public const string Client = "ss-client";
}
