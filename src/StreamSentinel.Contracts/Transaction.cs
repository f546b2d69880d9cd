namespace StreamSentinel.Contracts;

/// <summary>
/// A card payment as it enters the pipeline on the <c>transactions</c> topic.
/// </summary>
/// <remarks>
/// <see cref="EventId"/> is derived from the identifying fields (see <see cref="EventIds"/>), so the same
/// payment sent twice carries the same id and is recognised downstream.
/// </remarks>
public sealed record Transaction
{
    /// <summary>The version of this contract the message was written with.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Hex SHA-256 of the identifying fields; see <see cref="EventIds.For(Transaction)"/>.</summary>
    public string EventId { get; init; } = "";

    public string TransactionId { get; init; } = "";

    public string UserId { get; init; } = "";

    public string CardId { get; init; } = "";

    public string MerchantId { get; init; } = "";

    /// <summary>The merchant's four-digit ISO 18245 category code (MCC).</summary>
    public string MerchantCategory { get; init; } = "";

    /// <summary>The amount in <see cref="Currency"/>; never negative (refunds are not payments).</summary>
    public decimal Amount { get; init; }

    /// <summary>ISO 4217 alphabetic code, upper case.</summary>
    public string Currency { get; init; } = "";

    /// <summary>When the payment happened, as the payment system saw it.</summary>
    public DateTimeOffset EventTime { get; init; }

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    /// <summary>ISO 3166-1 alpha-2 code, upper case.</summary>
    public string Country { get; init; } = "";

    public string DeviceId { get; init; } = "";

    public string IpAddress { get; init; } = "";

    public Channel Channel { get; init; }

    /// <summary>When Stream-Sentinel accepted the payment; set by the intake, absent before it.</summary>
    public DateTimeOffset? IngestedAt { get; init; }

    public const int CurrentSchemaVersion = 1;
}
