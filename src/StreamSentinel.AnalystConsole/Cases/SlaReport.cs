using Npgsql;
using StreamSentinel.Domain;
using StreamSentinel.PostgreSql;

namespace StreamSentinel.AnalystConsole.Cases;

/// <summary>One line of the SLA report: a measure (first_action or resolution) for one severity and analyst.</summary>
public sealed record SlaRow(string Measure, string Severity, string Analyst, int Alerts, double P50Seconds, double P90Seconds, double MaxSeconds);

/// <summary>The SLA report over alerts created in a window (sql/queries/postgres/sla_report.sql).</summary>
public sealed record SlaReportResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SlaRow> Rows);

/// <summary>Time to first action and to resolution by severity and analyst, from the audit trail in PostgreSQL.</summary>
public sealed class SlaReport(NpgsqlDataSource dataSource)
{
    private static readonly string Sql = EmbeddedSql.Read(typeof(SentinelDbContext).Assembly, "sql/queries/postgres/sla_report.sql");

    public async Task<SlaReportResult> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SlaRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SlaRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetDouble(4), reader.GetDouble(5), reader.GetDouble(6)));
        }

        return new SlaReportResult(from, to, rows);
    }
}
