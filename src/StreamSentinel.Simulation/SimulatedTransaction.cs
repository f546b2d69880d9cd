using StreamSentinel.Contracts;

namespace StreamSentinel.Simulation;

/// <summary>A generated payment and the ground truth about it, kept beside it so the truth never travels inside the payment.</summary>
/// <param name="Transaction">The payment exactly as the pipeline would receive it.</param>
/// <param name="Scenario">
/// The <see cref="FraudScenarios"/> label when the payment is fraudulent; null for the cardholder's own payments.
/// </param>
public sealed record SimulatedTransaction(Transaction Transaction, string? Scenario)
{
    /// <summary>True when the payment belongs to a fraud scenario.</summary>
    public bool IsFraud => Scenario is not null;
}
