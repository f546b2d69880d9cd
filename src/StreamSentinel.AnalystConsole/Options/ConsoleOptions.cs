using System.ComponentModel.DataAnnotations;
using System.Net;
using StreamSentinel.AnalystConsole.Sessions;

namespace StreamSentinel.AnalystConsole.Options;

/// <summary>Settings of the analysts' console (section <c>Console</c>).</summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string SectionName = "Console";

    /// <summary>
    /// Who may sign in (<c>Console__Users__0__Name</c>, <c>__PasswordHash</c>, <c>__Role</c>). The hash is ASP.NET Core
    /// Identity's (PBKDF2), made by <c>stream-sentinel hash-password</c>; a plain-text <c>__Password</c> is refused at start.
    /// </summary>
    public IReadOnlyList<ConsoleUser> Users { get; set; } = [];

    /// <summary>The user named <paramref name="name"/>: names compare without regard to case, as at sign-in; null if none.</summary>
    public ConsoleUser? UserNamed(string? name) =>
        name is null ? null : Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The configured spelling of the analyst named <paramref name="name"/> (alerts and cases carry the name as the
    /// console's users are named, whatever case it was typed in); null if no analyst has that name.
    /// </summary>
    public string? AnalystNamed(string? name) => UserNamed(name) is { Role: ConsoleRoles.Analyst } user ? user.Name : null;

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

    /// <summary>
    /// The window of a BI query that names no <c>from</c>: this many days before <c>to</c> (itself now when not given).
    /// A bounded default, so that a bare request never scans every partition since 1970 (issue 18).
    /// </summary>
    [Range(1, 3660)]
    public int BiDefaultWindowDays { get; set; } = 30;

    /// <summary>The longest window a BI query may ask for; a longer one is refused with 400.</summary>
    [Range(1, 3660)]
    public int BiMaxWindowDays { get; set; } = 400;

    /// <summary>
    /// Rows one BI query of the console may read (ClickHouse's max_rows_to_read, sent with the query). The BI account's
    /// profile and quota bound every BI client; this bounds the console's own, below them.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long BiMaxRowsToRead { get; set; } = 200_000_000;

    /// <summary>Seconds one BI query of the console may run (ClickHouse's max_execution_time, sent with the query).</summary>
    [Range(1, 3600)]
    public int BiMaxExecutionSeconds { get; set; } = 30;

    /// <summary>Failed sign-ins of one name from one address, within <see cref="LockoutMinutes"/>, that lock that pair out.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How far back failed sign-ins count, and so how long a lockout lasts after the last of them.</summary>
    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Sign-in attempts one address may make per minute, whatever the names (answered 429 beyond).</summary>
    [Range(1, 10_000)]
    public int SignInsPerMinutePerAddress { get; set; } = 30;

    /// <summary>A session ends this long after sign-in, however active (the cookie also expires after 8 idle hours).</summary>
    [Range(1, 7 * 24)]
    public int AbsoluteSessionHours { get; set; } = 12;

    /// <summary>
    /// Send the session cookie only over HTTPS (<c>Secure</c>), even when a request arrived over plain HTTP. Off, the
    /// cookie is Secure whenever the request was HTTPS, directly or through a trusted proxy's X-Forwarded-Proto.
    /// </summary>
    public bool RequireHttps { get; set; }

    /// <summary>
    /// Addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (loopback always is).
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Users.Count == 0)
        {
            yield return new ValidationResult("Console:Users needs at least one user (Console__Users__0__Name, __PasswordHash, __Role).", [nameof(Users)]);
        }

        foreach (var (user, index) in Users.Select((u, i) => (u, i)))
        {
            // A password in configuration is readable by whoever reads the configuration: only its hash belongs there.
            if (!string.IsNullOrEmpty(user.Password))
            {
                yield return new ValidationResult(
                    $"Console:Users:{index}:Password holds a plain-text password, which is refused: put its hash in Console:Users:{index}:PasswordHash "
                    + "(made by: stream-sentinel hash-password, which reads the password from stdin) and remove the Password setting.",
                    [nameof(Users)]);
            }

            if (string.IsNullOrWhiteSpace(user.Name) || !ConsolePasswords.IsHash(user.PasswordHash) || !ConsoleRoles.All.Contains(user.Role))
            {
                yield return new ValidationResult(
                    $"Console:Users:{index} needs a name, a PasswordHash made by stream-sentinel hash-password, and a role ({string.Join(" or ", ConsoleRoles.All)}).",
                    [nameof(Users)]);
            }
        }

        if (Users.GroupBy(u => u.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            yield return new ValidationResult("Console:Users has the same name twice.", [nameof(Users)]);
        }

        foreach (var (proxy, index) in TrustedProxies.Select((p, i) => (p, i)))
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"Console:TrustedProxies:{index} is not an IP address: '{proxy}'.", [nameof(TrustedProxies)]);
            }
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

    /// <summary>ASP.NET Core Identity's password hash (PBKDF2 with a salt), base64: see <see cref="ConsolePasswords"/>.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Only here to be refused with a clear message: a plain-text password must not be configured.</summary>
    public string? Password { get; set; }

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
