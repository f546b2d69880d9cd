namespace StreamSentinel.Simulation;

internal enum MerchantCategoryKind
{
    // Where cardholders shop day to day: their habits are drawn from these.
    Everyday,

    // Paid on trips.
    Travel,

    // Where fraud goes: resellable goods, cash, gambling, digital goods.
    Risky,
}
