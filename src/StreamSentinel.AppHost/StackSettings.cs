namespace StreamSentinel.AppHost;

/// <summary>How the AppHost runs the fleet (section <c>Stack</c>).</summary>
public sealed class StackSettings
{
    /// <summary>The local stack's directory; empty means <c>.stack</c> in the repository, the one scripts/stack.sh uses.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Added to every port of the local stack, for a second stack beside the first (tests).</summary>
    public int PortOffset { get; set; }

    /// <summary>How many persistence workers to start.</summary>
    public int PersistenceWorkers { get; set; } = 2;

    /// <summary>Official container images instead of this machine's servers; needs a Docker engine.</summary>
    public bool UseContainers { get; set; }
}
