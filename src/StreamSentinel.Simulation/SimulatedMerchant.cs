namespace StreamSentinel.Simulation;

// A shop at a fixed spot a few kilometres from its city's centre; Category and City index MerchantCategories and CityTable.
internal sealed record SimulatedMerchant(int Index, string Id, int Category, int City, double Latitude, double Longitude);
