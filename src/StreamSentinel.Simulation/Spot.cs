namespace StreamSentinel.Simulation;

// Where a payment happened: coordinates, and the city whose country (and, in person, currency) applies.
internal readonly record struct Spot(double Latitude, double Longitude, int City);
