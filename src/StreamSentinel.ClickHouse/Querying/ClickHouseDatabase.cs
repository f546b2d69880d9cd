using ClickHouse.Driver;

namespace StreamSentinel.ClickHouse.Querying;

/// <summary>
/// The ways this product talks to ClickHouse, chosen to work on the 18.16 server Debian ships as well as on
/// current ones: statements through <c>ExecuteNonQueryAsync</c>, reads through raw <c>TSV</c> results parsed here (the driver's typed readers need <c>RowBinaryWithNamesAndTypes</c>, which 18.16 lacks).
/// </summary>
public sealed class ClickHouseDatabase(ClickHouseClient client)
{
    public ClickHouseClient Client { get; } = client;

    /// <summary>Runs one statement that returns no rows (DDL, INSERT … SELECT, ALTER).</summary>
    /// <remarks>
    /// The driver asks for <c>default_format=RowBinaryWithNamesAndTypes</c>, which 18.16 does not know; an
    /// <c>INSERT … SELECT</c> looks the format up (and fails) even though it returns nothing. A later setting of the
    /// same name wins, so TabSeparated is named here.
    /// </remarks>
    public Task ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        Client.ExecuteNonQueryAsync(sql, null!, new QueryOptions { CustomSettings = StatementSettings }, cancellationToken);

    private static readonly Dictionary<string, object> StatementSettings = new(StringComparer.Ordinal) { ["default_format"] = "TabSeparated" };

    /// <summary>Runs a SELECT and returns its rows as tab-separated fields (ClickHouse's TSV escaping undone).</summary>
    public async Task<IReadOnlyList<string[]>> QueryTsvAsync(string sql, CancellationToken cancellationToken)
    {
        var lines = await QueryLinesAsync(sql + "\nFORMAT TSV", cancellationToken);
        return [.. lines.Select(line => line.Split('\t').Select(TsvField.Unescape).ToArray())];
    }

    /// <summary>Runs a SELECT and returns its column names and rows (TSV with names; escaping undone).</summary>
    public Task<(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows)> QueryTableAsync(string sql, CancellationToken cancellationToken) =>
        QueryTableAsync(sql, null, cancellationToken);

    /// <summary>As <see cref="QueryTableAsync(string, CancellationToken)"/>, with query settings (e.g. limits) for this query alone.</summary>
    public async Task<(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows)> QueryTableAsync(
        string sql, IReadOnlyDictionary<string, object>? settings, CancellationToken cancellationToken)
    {
        var lines = await QueryLinesAsync(sql + "\nFORMAT TSVWithNames", settings, cancellationToken);
        var rows = lines.Select(line => line.Split('\t').Select(TsvField.Unescape).ToArray()).ToList();
        return rows.Count == 0 ? ([], []) : (rows[0], rows[1..]);
    }

    /// <summary>The server's version, e.g. 18.16.1 or 25.8.3.</summary>
    public async Task<Version> GetServerVersionAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryTsvAsync("SELECT version()", cancellationToken);
        var text = rows.Count == 1 ? rows[0][0] : throw new InvalidOperationException("SELECT version() returned no row.");
        // Versions have four parts on current servers (25.8.3.66) and three on old ones; Version parses both.
        return Version.Parse(text);
    }

    private Task<IReadOnlyList<string>> QueryLinesAsync(string sql, CancellationToken cancellationToken) => QueryLinesAsync(sql, null, cancellationToken);

    private async Task<IReadOnlyList<string>> QueryLinesAsync(string sql, IReadOnlyDictionary<string, object>? settings, CancellationToken cancellationToken)
    {
        var options = settings is null ? new QueryOptions() : new QueryOptions { CustomSettings = settings.ToDictionary(StringComparer.Ordinal) };
        using var result = await Client.ExecuteRawResultAsync(sql, options, cancellationToken);
        var text = await result.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return [];
        }

        // Every row ends with a newline, so the last piece is the nothing after it. An empty line before that is a
        // row holding an empty string, not noise to drop.
        var rows = text.Split('\n');
        return text.EndsWith('\n') ? rows[..^1] : rows;
    }
}
