namespace StreamSentinel.Simulation;

internal static class Geo
{
    public const long HourMs = 3_600_000;
    public const long DayMs = 24 * HourMs;

    private const double KmPerDegreeOfLatitude = 111.32;

    // One great-circle formula for the whole product: the detector measures travel exactly as the simulator plans it.
    public static double DistanceKm(double latitude1, double longitude1, double latitude2, double longitude2) =>
        Domain.Detection.Geo.DistanceKm(latitude1, longitude1, latitude2, longitude2);

    public static double DistanceKm(City from, City to) => DistanceKm(from.Latitude, from.Longitude, to.Latitude, to.Longitude);

    // A point uniform in a disc of radius maxKm; the flat-earth approximation is exact enough at city scale. Rounded to
    // 5 decimals (about a metre) so that a position reused later is bit for bit the one that was emitted.
    public static (double Latitude, double Longitude) Near(Random random, double latitude, double longitude, double maxKm)
    {
        var distance = maxKm * Math.Sqrt(random.NextDouble());
        var bearing = random.NextDouble() * 2 * Math.PI;
        var newLatitude = latitude + (distance * Math.Cos(bearing) / KmPerDegreeOfLatitude);
        var newLongitude = longitude + (distance * Math.Sin(bearing) / (KmPerDegreeOfLatitude * Math.Cos(Radians(latitude))));
        return (Math.Round(newLatitude, 5), Math.Round(newLongitude, 5));
    }

    // Local time approximated as UTC + longitude / 15 hours: no time zone database, and a test can recompute it from
    // the transaction alone.
    public static long UtcOffsetMs(double longitude) => (long)(longitude / 15 * HourMs);

    public static int LocalHour(long unixMs, long utcOffsetMs)
    {
        var local = (unixMs + utcOffsetMs) % DayMs;
        return (int)((local < 0 ? local + DayMs : local) / HourMs);
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
