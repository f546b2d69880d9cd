using Microsoft.Extensions.Options;

namespace StreamSentinel.AnalystConsole.Options;

/// <summary>
/// Round-robin assignment of new cases (section <c>Console:AutoAssign</c>, issue 19): each new case that nobody owns
/// goes to the next of <see cref="Analysts"/> in turn. Off by default: a team decides who takes work.
/// </summary>
public sealed class AutoAssignOptions
{
    public const string SectionName = "Console:AutoAssign";

    public bool Enabled { get; set; }

    /// <summary>The analysts available for new cases, in the rotation's order (names of Console:Users with the analyst role).</summary>
    public IReadOnlyList<string> Analysts { get; set; } = [];

    /// <summary>Cases one transaction of the rotation takes; more wait for the next, right after.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;
}

/// <summary>Checks <see cref="AutoAssignOptions.Analysts"/> against the console's users at start.</summary>
public sealed class AutoAssignOptionsValidation(IOptions<ConsoleOptions> console) : IValidateOptions<AutoAssignOptions>
{
    public ValidateOptionsResult Validate(string? name, AutoAssignOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.Analysts.Count == 0)
        {
            return ValidateOptionsResult.Fail("Console:AutoAssign:Enabled needs the analysts available for new cases in Console:AutoAssign:Analysts (e.g. Console__AutoAssign__Analysts__0=ana).");
        }

        var failures = options.Analysts
            .Where(a => console.Value.AnalystNamed(a) is null)
            .Select(a => $"Console:AutoAssign:Analysts names '{a}', who is not a user of this console with the analyst role (Console:Users).")
            .ToList();
        if (options.Analysts.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.Analysts.Count)
        {
            failures.Add("Console:AutoAssign:Analysts names the same analyst twice.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
