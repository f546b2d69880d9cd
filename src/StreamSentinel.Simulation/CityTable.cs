namespace StreamSentinel.Simulation;

// Mostly Europe, where the bank's cardholders live, plus far cities on other continents so that impossible travel and
// fraudsters abroad have somewhere thousands of kilometres away to be.
internal static class CityTable
{
    public static IReadOnlyList<City> All { get; } =
    [
        new("Paris", "FR", 48.8566, 2.3522, "EUR", 1, 3, true),
        new("Lyon", "FR", 45.7640, 4.8357, "EUR", 1, 0.8, true),
        new("Berlin", "DE", 52.5200, 13.4050, "EUR", 1, 3, true),
        new("Munich", "DE", 48.1351, 11.5820, "EUR", 1, 1.3, true),
        new("Madrid", "ES", 40.4168, -3.7038, "EUR", 1, 2.5, true),
        new("Barcelona", "ES", 41.3874, 2.1686, "EUR", 1, 1.6, true),
        new("Rome", "IT", 41.9028, 12.4964, "EUR", 1, 2, true),
        new("Milan", "IT", 45.4642, 9.1900, "EUR", 1, 1.5, true),
        new("Amsterdam", "NL", 52.3676, 4.9041, "EUR", 1, 1.5, true),
        new("Brussels", "BE", 50.8503, 4.3517, "EUR", 1, 1, true),
        new("Vienna", "AT", 48.2082, 16.3738, "EUR", 1, 1.2, true),
        new("Lisbon", "PT", 38.7223, -9.1393, "EUR", 1, 1, true),
        new("Dublin", "IE", 53.3498, -6.2603, "EUR", 1, 0.8, true),
        new("Helsinki", "FI", 60.1699, 24.9384, "EUR", 1, 0.6, true),
        new("Athens", "GR", 37.9838, 23.7275, "EUR", 1, 1, true),
        new("London", "GB", 51.5074, -0.1278, "GBP", 0.85, 3.5, true),
        new("Manchester", "GB", 53.4808, -2.2426, "GBP", 0.85, 1, true),
        new("Warsaw", "PL", 52.2297, 21.0122, "PLN", 4.3, 1.5, true),
        new("Krakow", "PL", 50.0647, 19.9450, "PLN", 4.3, 0.7, true),
        new("Stockholm", "SE", 59.3293, 18.0686, "SEK", 11.3, 1, true),
        new("Copenhagen", "DK", 55.6761, 12.5683, "DKK", 7.46, 0.8, true),
        new("Oslo", "NO", 59.9139, 10.7522, "NOK", 11.6, 0.6, true),
        new("Zurich", "CH", 47.3769, 8.5417, "CHF", 0.94, 0.6, true),
        new("Prague", "CZ", 50.0755, 14.4378, "CZK", 25, 1, true),
        new("Budapest", "HU", 47.4979, 19.0402, "HUF", 400, 1, true),
        new("New York", "US", 40.7128, -74.0060, "USD", 1.08, 0.4, false),
        new("São Paulo", "BR", -23.5505, -46.6333, "BRL", 6, 0.2, false),
        new("Tokyo", "JP", 35.6762, 139.6503, "JPY", 165, 0.2, false),
        new("Sydney", "AU", -33.8688, 151.2093, "AUD", 1.65, 0.2, false),
        new("Singapore", "SG", 1.3521, 103.8198, "SGD", 1.45, 0.2, false),
        new("Lagos", "NG", 6.5244, 3.3792, "NGN", 1700, 0.1, false),
        new("Dubai", "AE", 25.2048, 55.2708, "AED", 4, 0.2, false),
    ];

    // A distinct first octet per city, so an address hints at where it is (as geolocation would). 23 + 6k stays clear
    // of 10, 100, 127, 169, 172 and 192 for every city in the table.
    public static int FirstOctet(int city) => 23 + (6 * city);
}
