namespace StreamSentinel.Simulation;

// ISO 18245 merchant category codes the simulator uses. SimulatedUser keeps the categories it used as a bit mask,
// so there must stay at most 32 of them.
internal static class MerchantCategories
{
    public static IReadOnlyList<MerchantCategory> All { get; } =
    [
        new("5411", MerchantCategoryKind.Everyday, 20, 1.0, true),    // grocery
        new("5812", MerchantCategoryKind.Everyday, 16, 1.1, false),   // restaurants
        new("5814", MerchantCategoryKind.Everyday, 10, 0.4, false),   // fast food
        new("5541", MerchantCategoryKind.Everyday, 8, 1.4, false),    // fuel
        new("5912", MerchantCategoryKind.Everyday, 6, 0.6, true),     // pharmacy
        new("5311", MerchantCategoryKind.Everyday, 4, 1.5, true),     // department stores
        new("4121", MerchantCategoryKind.Everyday, 4, 0.6, false),    // taxi
        new("5999", MerchantCategoryKind.Everyday, 8, 0.8, true),     // miscellaneous retail
        new("5691", MerchantCategoryKind.Everyday, 6, 1.6, true),     // clothing
        new("4111", MerchantCategoryKind.Everyday, 5, 0.15, false),   // transit
        new("7011", MerchantCategoryKind.Travel, 2, 3.0, true),       // hotels
        new("4511", MerchantCategoryKind.Travel, 1, 6.0, true),       // airlines
        new("5732", MerchantCategoryKind.Risky, 2, 4.0, true),        // electronics
        new("5944", MerchantCategoryKind.Risky, 1, 5.0, true),        // jewelry
        new("4829", MerchantCategoryKind.Risky, 1, 3.0, true),        // money transfer
        new("7995", MerchantCategoryKind.Risky, 1, 1.5, true),        // gambling
        new("5815", MerchantCategoryKind.Risky, 3, 0.3, true, true),  // digital goods
        new("5967", MerchantCategoryKind.Risky, 1, 0.8, true, true),  // direct marketing
        new("6011", MerchantCategoryKind.Risky, 3, 2.0, false),       // ATM cash
    ];

    public static int Taxi { get; } = IndexOf("4121");

    public static int Hotel { get; } = IndexOf("7011");

    public static int Airline { get; } = IndexOf("4511");

    public static int DigitalGoods { get; } = IndexOf("5815");

    public static int AtmCash { get; } = IndexOf("6011");

    public static IReadOnlyList<int> CardTesting { get; } = [IndexOf("5815"), IndexOf("5967"), IndexOf("5999")];

    public static IReadOnlyList<int> Takeover { get; } = [IndexOf("5732"), IndexOf("5944"), IndexOf("4829"), IndexOf("6011")];

    public static IReadOnlyList<int> TakeoverOnline { get; } = [IndexOf("5732"), IndexOf("5944"), IndexOf("4829")];

    public static IReadOnlyList<int> Night { get; } = [IndexOf("7995"), IndexOf("4829"), IndexOf("5944")];

    private static int IndexOf(string code)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Code == code)
            {
                return i;
            }
        }

        throw new ArgumentException($"No merchant category {code}", nameof(code));
    }
}
