using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.AnalystConsole.Options;

/// <summary>Settings of the analysts' console (section <c>Console</c>).</summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string SectionName = "Console";

    /// <summary>Who may sign in (<c>Console__Users__0__Name</c>, <c>__Password</c>, <c>__Role</c>); keep passwords in a secret store.</summary>
    public IReadOnlyList<ConsoleUser> Users { get; set; } = [];

    /// <summary>This console's name in logs (several may serve behind a load balancer).</summary>
    [Required]
    public string Instance { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The most alerts one page of the queue may ask for.</summary>
    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 200;

    /// <summary>How many of a user's recent payments an alert page shows.</summary>
    [Range(1, 1000)]
    public int RecentTransactions { get; set; } = 20;

    /// <summary>
    /// The workers the SRE page probes live for readiness and lag per partition (<c>Console__Workers__0__Name</c>,
    /// <c>__Url</c>: the base of their /readyz and /metrics). Throughput and latency come from every worker's
    /// performance snapshots in ClickHouse, listed or not.
    /// </summary>
    public IReadOnlyList<FleetWorker> Workers { get; set; } = [];

    /// <summary>How long the SRE page waits for one worker's /readyz or /metrics before calling it unreachable.</summary>
    [Range(100, 30_000)]
    public int ProbeTimeoutMs { get; set; } = 2000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Users.Count == 0)
        {
            yield return new ValidationResult("Console:Users needs at least one user (Console__Users__0__Name, __Password, __Role).", [nameof(Users)]);
        }

        foreach (var (user, index) in Users.Select((u, i) => (u, i)))
        {
            if (string.IsNullOrWhiteSpace(user.Name) || user.Password is not { Length: >= 12 } || !ConsoleRoles.All.Contains(user.Role))
            {
                yield return new ValidationResult(
                    $"Console:Users:{index} needs a name, a password of 12 characters or more, and a role ({string.Join(" or ", ConsoleRoles.All)}).",
                    [nameof(Users)]);
            }
        }

        if (Users.GroupBy(u => u.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            yield return new ValidationResult("Console:Users has the same name twice.", [nameof(Users)]);
        }

        foreach (var (worker, index) in Workers.Select((w, i) => (w, i)))
        {
            if (string.IsNullOrWhiteSpace(worker.Name) || !Uri.TryCreate(worker.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"Console:Workers:{index} needs a name and an http(s) URL (the base of its /readyz and /metrics).", [nameof(Workers)]);
            }
        }
    }
}

public sealed class ConsoleUser
{
    public string Name { get; set; } = "";

    public string Password { get; set; } = "";

    public string Role { get; set; } = "";
}

/// <summary>A worker the SRE page probes: its name on the page and the base URL of its /readyz and /metrics.</summary>
public sealed class FleetWorker
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";
}

/// <summary>analyst: reads and changes alerts; viewer: reads.</summary>
public static class ConsoleRoles
{
    public const string Analyst = "analyst";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Analyst, Viewer];
}
