using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamSentinel.Migrations.Scripts;

/// <summary>One numbered, forward-only SQL script, e.g. <c>0003_system_audit_log.sql</c>.</summary>
public sealed partial record MigrationScript
{
    private MigrationScript(int version, string name, string sql, string checksum, IReadOnlySet<string> requirements)
    {
        Version = version;
        Name = name;
        Sql = sql;
        Checksum = checksum;
        Requirements = requirements;
    }

    public int Version { get; }

    /// <summary>The file name, e.g. <c>0003_system_audit_log.sql</c>.</summary>
    public string Name { get; }

    public string Sql { get; }

    /// <summary>Hex SHA-256 of the text with line endings normalised, so a checkout on Windows is not an edit.</summary>
    public string Checksum { get; }

    /// <summary>Server features the script needs, from a <c>-- stream-sentinel: requires a, b</c> line (e.g. <c>ttl</c>).</summary>
    public IReadOnlySet<string> Requirements { get; }

    /// <summary>Parses a script from its file name (<c>NNNN_words.sql</c>) and text.</summary>
    public static MigrationScript Parse(string fileName, string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new FormatException($"Migration script '{fileName}' must be named NNNN_words.sql (e.g. 0004_add_index.sql).");
        }

        var normalized = sql.ReplaceLineEndings("\n");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
        var requirements = RequiresPattern().Matches(normalized)
            .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        return new MigrationScript(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), fileName, normalized, checksum, requirements);
    }

    [GeneratedRegex(@"^(\d{4})_[a-z0-9_]+\.sql$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@"^--\s*stream-sentinel:\s*requires\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex RequiresPattern();
}
