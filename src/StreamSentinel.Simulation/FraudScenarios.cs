namespace StreamSentinel.Simulation;

/// <summary>
/// The fraud patterns <see cref="TransactionSimulator"/> plays, by the label its fraudulent transactions carry in
/// <see cref="SimulatedTransaction.Scenario"/>.
/// </summary>
public static class FraudScenarios
{
    /// <summary>A fraudster with a stolen card: many online payments within a minute or two, from a new device and a foreign IP.</summary>
    public const string VelocityBurst = "velocity_burst";

    /// <summary>Tiny online payments at merchants the cardholder never used, to learn whether a stolen card works.</summary>
    public const string CardTesting = "card_testing";

    /// <summary>A cloned card used in person thousands of kilometres from where the cardholder paid minutes before.</summary>
    public const string ImpossibleTravel = "impossible_travel";

    /// <summary>Large payments in risky categories from a new device, IP and country once the account is taken over.</summary>
    public const string AccountTakeover = "account_takeover";

    /// <summary>One payment far above what the cardholder usually spends, at a merchant they know, from their own device.</summary>
    public const string AmountSpike = "amount_spike";

    /// <summary>Payments in a category the cardholder never used, in the middle of their night.</summary>
    public const string UnusualCategoryHour = "unusual_category_hour";

    /// <summary>Every scenario, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [VelocityBurst, CardTesting, ImpossibleTravel, AccountTakeover, AmountSpike, UnusualCategoryHour];
}
