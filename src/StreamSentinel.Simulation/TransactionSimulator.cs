namespace StreamSentinel.Simulation;

/// <summary>
/// Realistic card traffic with labelled fraud, from a seed: cardholders with homes, habits, devices and a daily rhythm,
/// occasional trips, and fraud episodes (<see cref="FraudScenarios"/>) merged into the stream by event time.
/// </summary>
/// <remarks>Pure logic, no I/O, no clock: the same options always give the same sequence.</remarks>
/// <param name="options">Checked, and copied, by each call to <see cref="Generate"/>.</param>
public sealed class TransactionSimulator(SimulationOptions options)
{
    /// <summary>
    /// Exactly <paramref name="count"/> transactions in non-decreasing event time order. Each enumeration replays the
    /// run from the start; later changes to the options do not affect it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// At the options' pace, <paramref name="count"/> transactions would reach 2100, where the contract ends.
    /// </exception>
    /// <exception cref="InvalidOperationException">The enumeration reached 2100 all the same (a population too small to keep pace).</exception>
    public IEnumerable<SimulatedTransaction> Generate(long count)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulation options: " + string.Join("; ", errors));
        }

        // The pace gives a lower bound on the simulated span; SimulationRun stops at the limit should the run be slower.
        var days = count / (options.Users * options.TransactionsPerUserPerDay);
        if (options.Start.AddDays(Math.Min(days, 100 * 365)) >= SimulationOptions.LatestEventTime)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count),
                count,
                "At this pace the run would reach 2100, where the contract ends: generate fewer, or raise Users or TransactionsPerUserPerDay");
        }

        return Replay(options.Snapshot(), count);
    }

    // An iterator of its own so that the checks above run at the call, and each enumeration builds a fresh world.
    private static IEnumerable<SimulatedTransaction> Replay(SimulationOptions snapshot, long count)
    {
        foreach (var transaction in new SimulationRun(snapshot).Run(count))
        {
            yield return transaction;
        }
    }
}
