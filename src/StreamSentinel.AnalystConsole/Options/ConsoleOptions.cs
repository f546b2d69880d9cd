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
    }
}

public sealed class ConsoleUser
{
    public string Name { get; set; } = "";

    public string Password { get; set; } = "";

    public string Role { get; set; } = "";
}

/// <summary>analyst: reads and changes alerts; viewer: reads.</summary>
public static class ConsoleRoles
{
    public const string Analyst = "analyst";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Analyst, Viewer];
}
