namespace StreamSentinel.Simulation;

// UnitsPerEuro is a rough exchange rate: it scales amounts so that a meal costs about as much in Tokyo as in Paris.
// Residents weighs where users and merchants are placed.
internal sealed record City(
    string Name,
    string Country,
    double Latitude,
    double Longitude,
    string Currency,
    double UnitsPerEuro,
    double Residents,
    bool InEurope);
