using StreamSentinel.AnalystConsole.Alerts;

namespace StreamSentinel.AnalystConsole.Cases;

/// <summary>
/// Where a page of the case queue ended, in the order it was read: the last case's (last_alert_at, id) for the
/// activity order, its (due_at, id) for the due order. The order is part of the cursor, so a cursor of one order given
/// to the other is refused instead of silently skipping cases.
/// </summary>
public readonly record struct CaseCursor(bool ByDue, AlertCursor Position)
{
    // Not in base64url's alphabet: the prefix cannot be confused with an encoded position.
    private const string DuePrefix = "due.";

    public override string ToString() => ByDue ? DuePrefix + Position : Position.ToString();

    public static bool TryParse(string? text, out CaseCursor cursor)
    {
        cursor = default;
        var byDue = text?.StartsWith(DuePrefix, StringComparison.Ordinal) == true;
        if (!AlertCursor.TryParse(byDue ? text![DuePrefix.Length..] : text, out var position))
        {
            return false;
        }

        cursor = new CaseCursor(byDue, position);
        return true;
    }
}
