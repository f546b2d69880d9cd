using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Dapper;
using Microsoft.Extensions.Configuration;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain;

namespace StreamSentinel.Migrations.Accounts;

/// <summary>
/// The least-privilege accounts, named by the connection strings their clients use: the persistence fleet's writer
/// and the console's analyst in PostgreSQL (members of the group roles of 0006_least_privilege_roles.sql), and the
/// read-only BI account and the persistence workers' writer in ClickHouse. Each is made to match its connection string (created, or its password reset)
/// and then signed in with, so a mistake shows up at migrate time rather than in a worker.
/// </summary>
public sealed class DatabaseAccounts(NpgsqlDataSource owner, ClickHouseDatabase ownerClickHouse)
{
    private static readonly string Login = EmbeddedSql.Read(typeof(DatabaseAccounts).Assembly, "sql/migrator/postgres_login.sql");

    public async Task<IReadOnlyList<AccountOutcome>> EnsureAsync(AccountConnectionStrings accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (accounts.PostgresWriter is { Length: > 0 } writer && accounts.PostgresAnalyst is { Length: > 0 } analyst
            && string.Equals(new NpgsqlConnectionStringBuilder(writer).Username, new NpgsqlConnectionStringBuilder(analyst).Username, StringComparison.Ordinal))
        {
            throw new AccountException("The writer's and the analyst's connection strings name the same account: one login would hold both roles.");
        }

        var outcomes = new List<AccountOutcome>();
        foreach (var (name, connectionString, groupRole) in new[]
        {
            (AccountConnectionStrings.PostgresWriterName, accounts.PostgresWriter, "stream_sentinel_writer"),
            (AccountConnectionStrings.PostgresAnalystName, accounts.PostgresAnalyst, "stream_sentinel_analyst"),
        })
        {
            outcomes.Add(connectionString is { Length: > 0 }
                ? await EnsurePostgresAsync(name, connectionString, groupRole, cancellationToken)
                : new AccountOutcome(name, "-", groupRole, "not configured: its clients use whatever connection string they are given"));
        }

        outcomes.Add(accounts.ClickHouseBi is { Length: > 0 } bi
            ? await EnsureClickHouseReaderAsync(bi, cancellationToken)
            : new AccountOutcome(AccountConnectionStrings.ClickHouseBiName, "-", "read-only", "not configured"));
        outcomes.Add(accounts.ClickHouseWriter is { Length: > 0 } clickHouseWriter
            ? await EnsureClickHouseWriterAsync(clickHouseWriter, accounts.ClickHouseBi, cancellationToken)
            : new AccountOutcome(AccountConnectionStrings.ClickHouseWriterName, "-", "insert, no DDL", "not configured"));
        return outcomes;
    }

    private async Task<AccountOutcome> EnsurePostgresAsync(string name, string connectionString, string groupRole, CancellationToken cancellationToken)
    {
        var account = new NpgsqlConnectionStringBuilder(connectionString);
        var ownerName = new NpgsqlConnectionStringBuilder(owner.ConnectionString).Username;
        if (string.IsNullOrEmpty(account.Username) || string.IsNullOrEmpty(account.Password))
        {
            throw new AccountException($"ConnectionStrings:{name} needs a Username and a Password: migrate creates that account with them.");
        }

        if (string.Equals(account.Username, ownerName, StringComparison.Ordinal))
        {
            throw new AccountException($"ConnectionStrings:{name} names the schema's owner ({ownerName}); give it an account of its own.");
        }

        await using (var connection = await owner.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    Login, new { account = account.Username, password = account.Password, group_role = groupRole }, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.RaiseException)
            {
                // postgres_login.sql refuses an existing account with more power than a least-privilege one may have.
                throw new AccountException($"ConnectionStrings:{name}: {e.MessageText}");
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await using (var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            await probe.OpenAsync(cancellationToken);
            await probe.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
        }

        return new AccountOutcome(account.Username, account.Database ?? "-", groupRole, "ready (signed in)");
    }

    private async Task<AccountOutcome> EnsureClickHouseReaderAsync(string connectionString, CancellationToken cancellationToken)
    {
        var account = new ClickHouseConnectionStringBuilder(connectionString);
        var database = account.Database is { Length: > 0 } named
            ? named
            : (await ownerClickHouse.QueryTsvAsync("SELECT currentDatabase()", cancellationToken))[0][0];
        if (string.IsNullOrEmpty(account.Username))
        {
            throw new AccountException($"ConnectionStrings:{AccountConnectionStrings.ClickHouseBiName} must name a read-only account of its own.");
        }

        var how = "from users.xml: this ClickHouse has no SQL accounts";
        if (await SupportsSqlAccountsAsync(cancellationToken))
        {
            // Setting the password of the owner's own account to the reader's would lock every writer out.
            var ownerName = (await ownerClickHouse.QueryTsvAsync("SELECT currentUser()", cancellationToken))[0][0];
            if (string.Equals(account.Username, ownerName, StringComparison.Ordinal))
            {
                throw new AccountException($"ConnectionStrings:{AccountConnectionStrings.ClickHouseBiName} names the owner ({ownerName}); give BI an account of its own.");
            }

            var user = ClickHouseLiteral.Identifier(account.Username);
            var password = ClickHouseLiteral.Text(account.Password ?? "");
            await ownerClickHouse.ExecuteAsync($"CREATE USER IF NOT EXISTS {user} IDENTIFIED WITH sha256_password BY {password}", cancellationToken);
            await ownerClickHouse.ExecuteAsync($"ALTER USER {user} IDENTIFIED WITH sha256_password BY {password}", cancellationToken);
            await ownerClickHouse.ExecuteAsync($"GRANT SELECT ON {ClickHouseLiteral.Identifier(database)}.* TO {user}", cancellationToken);
            // The limits scripts/stack.sh writes into 18.16's users.xml (profile read_only, quota bi): defaults a
            // client may lower, and an hourly quota it cannot lift (issue 18). Not run here: no current server.
            var limits = ClickHouseLiteral.Identifier($"{account.Username}_limits");
            await ownerClickHouse.ExecuteAsync(
                $"CREATE SETTINGS PROFILE OR REPLACE {limits} SETTINGS max_execution_time = 30, max_rows_to_read = 500000000, "
                + $"max_bytes_to_read = 20000000000, read_overflow_mode = 'throw', max_memory_usage = 2000000000 TO {user}",
                cancellationToken);
            await ownerClickHouse.ExecuteAsync(
                $"CREATE QUOTA OR REPLACE {limits} FOR INTERVAL 1 hour MAX queries = 5000, errors = 1000, result_rows = 50000000, "
                + $"read_rows = 20000000000, execution_time = 1800 TO {user}",
                cancellationToken);
            how = "SQL account, SELECT only, settings profile and hourly quota";
        }

        using var client = new ClickHouseClient(connectionString);
        var reader = new ClickHouseDatabase(client);
        await reader.QueryTsvAsync($"SELECT count() FROM system.tables WHERE database = {ClickHouseLiteral.Text(database)}", cancellationToken);
        // The proof that matters: this account cannot change anything, neither the schema nor a table's rows (tried on a
        // table of the owner's, dropped afterwards). A server that lets it is a configuration to fix now.
        var probe = $"{ClickHouseLiteral.Identifier(database)}.{ClickHouseLiteral.Identifier("read_only_probe")}";
        var readersTable = $"{ClickHouseLiteral.Identifier(database)}.{ClickHouseLiteral.Identifier("read_only_probe_by_reader")}";
        await ownerClickHouse.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {probe} (x UInt8) ENGINE = Memory", cancellationToken);
        try
        {
            var created = await RefusedAsync(reader, $"CREATE TABLE {readersTable} (x UInt8) ENGINE = Memory", cancellationToken);
            var inserted = await RefusedAsync(reader, $"INSERT INTO {probe} (x) VALUES (1)", cancellationToken);
            if (!created || !inserted)
            {
                await ownerClickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {readersTable}", cancellationToken);
                throw new AccountException(
                    $"ClickHouse account {account.Username} could {(created ? "insert rows" : "create a table")} in {database}: it must be read-only "
                    + "(readonly = 2 in its users.xml profile, or SQL grants of SELECT only).");
            }
        }
        finally
        {
            await ownerClickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {probe}", cancellationToken);
        }

        return new AccountOutcome(account.Username, database, "read-only", $"ready ({how}; reads, cannot write)");
    }

    /// <summary>
    /// The persistence workers' account: INSERT into this database's tables and the SELECTs that exactly-once recovery
    /// and progress need (which offsets a table already holds), nothing else. On current servers a SQL account with
    /// exactly those grants on this one database; on 18.16 the users.xml account of scripts/stack.sh, whose profile has
    /// allow_ddl = 0 (no CREATE, ALTER, DROP, TRUNCATE) but which 18.16 cannot confine to some tables or one database.
    /// </summary>
    private async Task<AccountOutcome> EnsureClickHouseWriterAsync(string connectionString, string? biConnectionString, CancellationToken cancellationToken)
    {
        const string Name = AccountConnectionStrings.ClickHouseWriterName;
        var account = new ClickHouseConnectionStringBuilder(connectionString);
        var database = account.Database is { Length: > 0 } named
            ? named
            : (await ownerClickHouse.QueryTsvAsync("SELECT currentDatabase()", cancellationToken))[0][0];
        if (string.IsNullOrEmpty(account.Username))
        {
            throw new AccountException($"ConnectionStrings:{Name} must name a writer account of its own.");
        }

        if (biConnectionString is { Length: > 0 } && string.Equals(new ClickHouseConnectionStringBuilder(biConnectionString).Username, account.Username, StringComparison.Ordinal))
        {
            throw new AccountException($"ConnectionStrings:{Name} names the BI account ({account.Username}); the writer needs an account of its own.");
        }

        var how = "from users.xml: no DDL; 18.16 cannot limit it to some tables";
        if (await SupportsSqlAccountsAsync(cancellationToken))
        {
            var ownerName = (await ownerClickHouse.QueryTsvAsync("SELECT currentUser()", cancellationToken))[0][0];
            if (string.Equals(account.Username, ownerName, StringComparison.Ordinal))
            {
                throw new AccountException($"ConnectionStrings:{Name} names the owner ({ownerName}); give the writer an account of its own.");
            }

            var user = ClickHouseLiteral.Identifier(account.Username);
            var password = ClickHouseLiteral.Text(account.Password ?? "");
            await ownerClickHouse.ExecuteAsync($"CREATE USER IF NOT EXISTS {user} IDENTIFIED WITH sha256_password BY {password}", cancellationToken);
            await ownerClickHouse.ExecuteAsync($"ALTER USER {user} IDENTIFIED WITH sha256_password BY {password}", cancellationToken);
            // INSERT for the result tables (and, through them, their materialized views); SELECT for the recovery
            // reads of the same tables. One database only: nothing of another database, no DDL, no ALTER … DELETE.
            await ownerClickHouse.ExecuteAsync($"GRANT INSERT, SELECT ON {ClickHouseLiteral.Identifier(database)}.* TO {user}", cancellationToken);
            how = "SQL account, INSERT and SELECT on this database only";
        }

        using var client = new ClickHouseClient(connectionString);
        var writer = new ClickHouseDatabase(client);
        var probe = $"{ClickHouseLiteral.Identifier(database)}.{ClickHouseLiteral.Identifier("writer_probe")}";
        await ownerClickHouse.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {probe} (x UInt8) ENGINE = Memory", cancellationToken);
        try
        {
            // It must insert and read back what it inserted (recovery) ...
            await writer.ExecuteAsync($"INSERT INTO {probe} (x) VALUES (1)", cancellationToken);
            await writer.QueryTsvAsync($"SELECT count() FROM {probe}", cancellationToken);
            // ... and must not change the schema: a server that lets it is a configuration to fix now.
            if (!await RefusedAsync(writer, $"DROP TABLE {probe}", cancellationToken)
                || !await RefusedAsync(writer, $"ALTER TABLE {probe} DELETE WHERE 1", cancellationToken))
            {
                throw new AccountException(
                    $"ClickHouse account {account.Username} could drop or alter a table in {database}: the writer must not "
                    + "(allow_ddl = 0 in its users.xml profile, or SQL grants of INSERT and SELECT only).");
            }
        }
        catch (Exception e) when (e is not AccountException and not OperationCanceledException)
        {
            throw new AccountException($"ClickHouse account {account.Username} cannot insert into and read {database}: {e.Message}");
        }
        finally
        {
            await ownerClickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {probe}", cancellationToken);
        }

        return new AccountOutcome(account.Username, database, "insert, no DDL", $"ready ({how}; inserts and reads, cannot drop or alter)");
    }

    private static async Task<bool> RefusedAsync(ClickHouseDatabase reader, string statement, CancellationToken cancellationToken)
    {
        try
        {
            await reader.ExecuteAsync(statement, cancellationToken);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return true;
        }
    }

    private async Task<bool> SupportsSqlAccountsAsync(CancellationToken cancellationToken) =>
        (await ownerClickHouse.QueryTsvAsync("SELECT count() FROM system.tables WHERE database = 'system' AND name = 'users'", cancellationToken))[0][0] != "0";
}

/// <summary>The connection strings the least-privilege accounts are made from; a null one is left alone.</summary>
public sealed record AccountConnectionStrings(string? PostgresWriter, string? PostgresAnalyst, string? ClickHouseBi, string? ClickHouseWriter = null)
{
    /// <summary>Connection string of the persistence workers (environment: <c>SS_POSTGRES_WRITER</c>).</summary>
    public const string PostgresWriterName = "PostgresWriter";

    /// <summary>Connection string of the analysts' console (environment: <c>SS_POSTGRES_ANALYST</c>).</summary>
    public const string PostgresAnalystName = "PostgresAnalyst";

    /// <summary>Connection string of BI users and the console's ClickHouse reads (environment: <c>SS_CLICKHOUSE_BI</c>).</summary>
    public const string ClickHouseBiName = "ClickHouseBi";

    /// <summary>Connection string of the persistence workers' ClickHouse account (environment: <c>SS_CLICKHOUSE_WRITER</c>).</summary>
    public const string ClickHouseWriterName = "ClickHouseWriter";

    public static AccountConnectionStrings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(
            configuration.GetConnectionString(PostgresWriterName), configuration.GetConnectionString(PostgresAnalystName),
            configuration.GetConnectionString(ClickHouseBiName), configuration.GetConnectionString(ClickHouseWriterName));
    }
}

/// <summary>One account as migrate left it.</summary>
public sealed record AccountOutcome(string Account, string Database, string Role, string Result);

/// <summary>An account that cannot be made least-privilege as configured; migrate stops with this message.</summary>
public sealed class AccountException(string message) : Exception(message);
