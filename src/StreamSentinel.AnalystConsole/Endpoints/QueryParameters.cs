using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>Query-string values read the same way by every endpoint; what does not parse becomes a validation error.</summary>
internal static class QueryParameters
{
    public static DateTimeOffset? Time(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: 1 } value || string.IsNullOrWhiteSpace(value[0]))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[name] = ["is not a date and time, e.g. 2026-11-26T10:00:00Z"];
        return null;
    }

    public static int Int(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: 1 } value)
        {
            return fallback;
        }

        if (int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors[name] = [max == int.MaxValue ? $"is not a whole number of at least {min}" : $"is not a whole number from {min} to {max}"];
        return fallback;
    }
}
