using System.Globalization;
using Dapper;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations;

/// <summary>What exists in each database: tables, views and their row counts. For people, not for the pipeline.</summary>
public sealed class SchemaInventory(NpgsqlDataSource postgres, ClickHouseDatabase clickHouse)
{
    public async Task<IReadOnlyList<SchemaObject>> ListAsync(CancellationToken cancellationToken)
    {
        var objects = new List<SchemaObject>();
        await using (var connection = await postgres.OpenConnectionAsync(cancellationToken))
        {
            var relations = await connection.QueryAsync<(string Name, string Kind)>(new CommandDefinition(
                """
                SELECT c.relname,
                       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')
                ORDER BY c.relname
                """,
                cancellationToken: cancellationToken));
            foreach (var (name, kind) in relations)
            {
                // Exact counts: this is for a development stack and a demo, where an estimate would confuse.
                var rows = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT count(*) FROM \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken: cancellationToken));
                objects.Add(new SchemaObject(MigrationTarget.Postgres, name, kind, rows));
            }
        }

        var rowsByTable = (await clickHouse.QueryTsvAsync(
                "SELECT table, sum(rows) FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table",
                cancellationToken))
            .ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture));
        foreach (var row in await clickHouse.QueryTsvAsync(
                     "SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name", cancellationToken))
        {
            var isView = row[1] is "MaterializedView" or "View";
            objects.Add(new SchemaObject(
                MigrationTarget.ClickHouse,
                row[0],
                isView ? row[1] : $"table ({row[1]})",
                isView ? null : rowsByTable.GetValueOrDefault(row[0])));
        }

        return objects;
    }
}
