namespace StreamSentinel.Simulation;

internal static class RandomExtensions
{
    public static double Uniform(this Random random, double min, double max) => min + (random.NextDouble() * (max - min));

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static double Exponential(this Random random, double rate) => -Math.Log(1 - random.NextDouble()) / rate;

    // Box–Muller; one of the pair is thrown away, which costs a draw but keeps no state outside the Random.
    public static double Normal(this Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static int PickWeighted(this Random random, IReadOnlyList<double> weights)
    {
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            total += weights[i];
        }

        var roll = random.NextDouble() * total;
        var last = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }

            last = i;
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return last;
    }
}
