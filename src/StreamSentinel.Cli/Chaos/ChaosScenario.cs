namespace StreamSentinel.Cli.Chaos;

/// <summary>What goes wrong during a chaos run, and the table row it leaves.</summary>
internal sealed record ChaosOutcome(string Scenario, long Events, long Lost, long Duplicated, long Misrouted, TimeSpan Recovery, int Disruptions, string Detail)
{
    public bool Passed => Lost == 0 && Duplicated == 0 && Misrouted == 0;
}
