namespace StreamSentinel.Simulation;

// MerchantWeight: how common such merchants are. AmountFactor: how a payment there compares with the cardholder's
// typical one (a metro ticket is cheap, a hotel night dear). DigitalOnly: no shop to walk into, usable from anywhere.
internal sealed record MerchantCategory(
    string Code,
    MerchantCategoryKind Kind,
    double MerchantWeight,
    double AmountFactor,
    bool SellsOnline,
    bool DigitalOnly = false);
