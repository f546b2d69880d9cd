using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamSentinel.Contracts.Privacy;

/// <summary>
/// Recognises primary account numbers (PANs) where only tokens or references belong, and masks them wherever a
/// refused message is kept (dead letters, logs). A PAN is 13 to 19 digits, possibly grouped by spaces or dashes,
/// whose last digit is the Luhn check digit (ISO/IEC 7812). Issue 18: a card number must never be stored in clear.
/// </summary>
/// <remarks>
/// One digit in ten passes Luhn by chance, so a random 16-digit id is taken for a PAN one time in ten: an intake
/// that refuses it asks for a token instead, which is the point. Masking keeps the last four digits (what a
/// receipt shows, PCI DSS 3.3) and replaces the others with <c>*</c>, keeping the separators.
/// </remarks>
public static class CardNumbers
{
    public const int MinDigits = 13;
    public const int MaxDigits = 19;
    private const int KeptDigits = 4;

    /// <summary>True when the whole value is a PAN: 13-19 digits, spaces or dashes between them, passing Luhn.</summary>
    public static bool LooksLikePan(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.IsEmpty || !char.IsAsciiDigit(value[0]) || !char.IsAsciiDigit(value[^1]))
        {
            return false;
        }

        var digits = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not (' ' or '-'))
            {
                return false;
            }
        }

        return digits is >= MinDigits and <= MaxDigits && PassesLuhn(value);
    }

    /// <summary>
    /// The text with every PAN-like run in it masked: a run is digits with single spaces or dashes between them;
    /// a run of 13-19 digits that passes Luhn keeps its last four digits. Anything else is returned unchanged.
    /// </summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? masked = null;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i]) || (i > 0 && char.IsAsciiDigit(text[i - 1])))
            {
                i++;
                continue;
            }

            var end = RunEnd(text, i);
            var run = text.AsSpan(i, end - i);
            if (LooksLikePan(run))
            {
                masked ??= new StringBuilder(text);
                var digits = Digits(run);
                var seen = 0;
                for (var k = i; k < end; k++)
                {
                    if (char.IsAsciiDigit(text[k]) && ++seen <= digits - KeptDigits)
                    {
                        masked[k] = '*';
                    }
                }
            }

            i = end;
        }

        return masked?.ToString() ?? text;
    }

    /// <summary>True when <paramref name="text"/> holds a PAN-like run anywhere (what <see cref="Mask"/> would change).</summary>
    public static bool ContainsPan(string text) => !ReferenceEquals(Mask(text), text);

    /// <summary>
    /// A payload with every PAN in its JSON string values masked (numbers are left alone: a latitude's decimals are
    /// not a card); a payload that is not JSON is masked as text. Null when nothing needed masking, so that the
    /// caller keeps the original bytes.
    /// </summary>
    public static byte[]? MaskPayload(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            // Not text: no number in it can be read as one either, short of decoding it the same lenient way.
            text = Encoding.UTF8.GetString(utf8);
        }

        if (!ContainsPan(text))
        {
            return null;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetBytes(Mask(text));
        }

        if (root is JsonValue)
        {
            return Encoding.UTF8.GetBytes(Mask(text));
        }

        if (root is null || !MaskStrings(root))
        {
            return null;
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static bool MaskStrings(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        var original = value.GetValue<string>();
                        var masked = Mask(original);
                        if (!ReferenceEquals(masked, original))
                        {
                            obj[name] = masked;
                            changed = true;
                        }
                    }
                    else if (child is not null)
                    {
                        changed |= MaskStrings(child);
                    }
                }

                break;
            case JsonArray array:
                for (var k = 0; k < array.Count; k++)
                {
                    if (array[k] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        var original = value.GetValue<string>();
                        var masked = Mask(original);
                        if (!ReferenceEquals(masked, original))
                        {
                            array[k] = masked;
                            changed = true;
                        }
                    }
                    else if (array[k] is { } child)
                    {
                        changed |= MaskStrings(child);
                    }
                }

                break;
        }

        return changed;
    }

    // Digits, and single spaces or dashes followed by a digit; stops after 19 digits would be exceeded anyway.
    private static int RunEnd(string text, int start)
    {
        var k = start;
        while (k < text.Length)
        {
            if (char.IsAsciiDigit(text[k]))
            {
                k++;
            }
            else if (text[k] is ' ' or '-' && k + 1 < text.Length && char.IsAsciiDigit(text[k + 1]))
            {
                k++;
            }
            else
            {
                break;
            }
        }

        return k;
    }

    private static int Digits(ReadOnlySpan<char> value)
    {
        var count = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                count++;
            }
        }

        return count;
    }

    private static bool PassesLuhn(ReadOnlySpan<char> value)
    {
        var sum = 0;
        var doubled = false;
        for (var k = value.Length - 1; k >= 0; k--)
        {
            if (!char.IsAsciiDigit(value[k]))
            {
                continue;
            }

            var digit = value[k] - '0';
            if (doubled)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }
}
