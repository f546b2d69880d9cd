using System.Data.Common;
using System.Diagnostics;
using System.Net.Sockets;
using ClickHouse.Driver;
using Confluent.Kafka;
using Npgsql;
using StackExchange.Redis;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.Cli.Hosting;

/// <summary>
/// A server that did not serve a one-shot command, as one line for the person who typed it: which server, at which
/// address, why, and what to try. <see cref="Classify"/> is the one place that turns the four clients' exceptions into
/// it (issue 21: a new user with a server down got 10–20 lines of stack trace instead).
/// </summary>
internal sealed record ServerFailure(string Server, string Address, string Variable, ServerFailureKind Kind, string Cause)
{
    public int ExitCode => (int)Kind;

    public string Hint => Kind switch
    {
        ServerFailureKind.Unreachable or ServerFailureKind.TimedOut => $"Is it running? Try scripts/stack.sh status (the address comes from {Variable}).",
        ServerFailureKind.AuthenticationFailed => $"Check the user and password in {Variable} (scripts/stack.sh env prints the local stack's).",
        ServerFailureKind.DatabaseMissing => $"Check the database named in {Variable}; scripts/stack.sh up creates the local stack's.",
        _ when Variable == StackEnvironment.Kafka => "Its topics do not exist; the development broker creates them (scripts/stack.sh status).",
        _ => "Apply the schema: scripts/stream-sentinel migrate.",
    };

    /// <summary>The one line printed instead of a stack trace.</summary>
    public string Describe() => $"{Server} at {Address}: {Cause.TrimEnd('.', ' ')}. {Hint} (exit code {ExitCode}; --verbose shows the stack trace)";

    /// <summary>What <paramref name="exception"/> says about a server, or null when it is not about reaching one (a bug: keep the trace).</summary>
    public static ServerFailure? Classify(Exception exception, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var e in Chain(exception))
        {
            var failure = e switch
            {
                PostgresException postgres => FromPostgres(postgres, configuration),
                NpgsqlException npgsql => Transport(npgsql) is { } transport ? Postgres(configuration, transport.Kind, transport.Cause) : null,
                ClickHouseServerException clickHouse => FromClickHouse(clickHouse, configuration),
                HttpRequestException or OperationCanceledException when ThrownBy(e, typeof(ClickHouseServerException).Assembly)
                    => Transport(e) is { } transport ? ClickHouse(configuration, transport.Kind, transport.Cause) : null,
                RedisTimeoutException => Redis(configuration, ServerFailureKind.TimedOut, "no answer in time"),
                RedisConnectionException redis => FromRedis(redis, configuration),
                KafkaException kafka => FromKafka(kafka, configuration),
                _ => null,
            };
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static ServerFailure? FromPostgres(PostgresException e, IConfiguration configuration) => e.SqlState switch
    {
        // https://www.postgresql.org/docs/15/errcodes-appendix.html
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            => Postgres(configuration, ServerFailureKind.AuthenticationFailed, e.MessageText),
        PostgresErrorCodes.InvalidCatalogName => Postgres(configuration, ServerFailureKind.DatabaseMissing, e.MessageText),
        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName
            => Postgres(configuration, ServerFailureKind.SchemaMissing, e.MessageText + " (the schema is not migrated)"),
        PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
            => Postgres(configuration, ServerFailureKind.Unreachable, e.MessageText),
        _ => null,
    };

    private static ServerFailure? FromClickHouse(ClickHouseServerException e, IConfiguration configuration)
    {
        // ClickHouse's error codes (src/Common/ErrorCodes.cpp); 192–194 are what 18.16 answers, 516 what current servers do.
        var kind = e.ErrorCode switch
        {
            192 or 193 or 194 or 516 => ServerFailureKind.AuthenticationFailed,
            81 => ServerFailureKind.DatabaseMissing,
            60 => ServerFailureKind.SchemaMissing,
            _ => (ServerFailureKind?)null,
        };
        return kind is { } k ? ClickHouse(configuration, k, ClickHouseMessage(e.Message).TrimEnd('.') + (k == ServerFailureKind.SchemaMissing ? " (the schema is not migrated)" : "")) : null;
    }

    private static ServerFailure FromRedis(RedisConnectionException e, IConfiguration configuration)
    {
        if (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            return Redis(configuration, ServerFailureKind.AuthenticationFailed, "authentication failed");
        }

        return Transport(e) is { } transport
            ? Redis(configuration, transport.Kind, transport.Cause)
            : Redis(configuration, ServerFailureKind.Unreachable, $"could not connect ({e.FailureType})");
    }

    private static ServerFailure? FromKafka(KafkaException e, IConfiguration configuration)
    {
        var kind = e.Error.Code switch
        {
            ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve => ServerFailureKind.Unreachable,
            ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut => ServerFailureKind.TimedOut,
            ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed or ErrorCode.TopicAuthorizationFailed
                or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed => ServerFailureKind.AuthenticationFailed,
            ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition => ServerFailureKind.SchemaMissing,
            _ => (ServerFailureKind?)null,
        };
        if (kind is null)
        {
            return null;
        }

        var bootstrap = configuration["Kafka:BootstrapServers"] is { Length: > 0 } servers ? servers : "(no bootstrap servers)";
        return new ServerFailure("Kafka", bootstrap, StackEnvironment.Kafka, kind.Value, e.Error.Reason);
    }

    /// <summary>A failure below the protocol: refused, unresolved or silent.</summary>
    private static (ServerFailureKind Kind, string Cause)? Transport(Exception exception)
    {
        foreach (var e in Chain(exception))
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => (ServerFailureKind.Unreachable, "connection refused"),
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (ServerFailureKind.Unreachable, "host not found"),
                        SocketError.TimedOut => (ServerFailureKind.TimedOut, "connecting timed out"),
                        _ => (ServerFailureKind.Unreachable, socket.Message),
                    };
                case TimeoutException:
                    return (ServerFailureKind.TimedOut, "no answer in time");
                case IOException when e.InnerException is null:
                    return (ServerFailureKind.Unreachable, "the server closed the connection");
            }
        }

        return null;
    }

    private static ServerFailure Postgres(IConfiguration configuration, ServerFailureKind kind, string cause)
    {
        var address = "(no connection string)";
        if (configuration.GetConnectionString("Postgres") is { Length: > 0 } connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            address = $"{builder.Host}:{builder.Port} (database {builder.Database}, user {builder.Username})";
        }

        return new ServerFailure("PostgreSQL", address, StackEnvironment.Postgres, kind, cause);
    }

    private static ServerFailure ClickHouse(IConfiguration configuration, ServerFailureKind kind, string cause)
    {
        var address = "(no connection string)";
        if (configuration.GetConnectionString("ClickHouse") is { Length: > 0 } connectionString)
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            string Value(string key, string otherwise) => builder.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? otherwise : otherwise;
            address = $"{Value("Host", "localhost")}:{Value("Port", "8123")} (database {Value("Database", "default")}, user {Value("Username", "default")})";
        }

        return new ServerFailure("ClickHouse", address, StackEnvironment.ClickHouse, kind, cause);
    }

    private static ServerFailure Redis(IConfiguration configuration, ServerFailureKind kind, string cause)
    {
        var address = configuration.GetConnectionString("Redis") is { Length: > 0 } connectionString
            ? string.Join(",", ConfigurationOptions.Parse(connectionString).EndPoints.Select(e => e.ToString()))
            : "(no connection string)";
        return new ServerFailure("Redis", address, StackEnvironment.Redis, kind, cause);
    }

    // "Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception" (18.16)
    // or "Code: 516. DB::Exception: default: Authentication failed ... (AUTHENTICATION_FAILED)" (current): the sentence.
    private static string ClickHouseMessage(string message)
    {
        var text = message.Split('\n')[0];
        var start = text.LastIndexOf("DB::Exception: ", StringComparison.Ordinal);
        if (start >= 0 && text.IndexOf(", e.what()", start, StringComparison.Ordinal) is var end and > 0)
        {
            return text[(start + "DB::Exception: ".Length)..end];
        }

        return start >= 0 ? text[(start + "DB::Exception: ".Length)..].Trim() : text.Trim();
    }

    private static bool ThrownBy(Exception exception, System.Reflection.Assembly assembly) =>
        new StackTrace(exception, fNeedFileInfo: false).GetFrames().Any(frame => frame.GetMethod()?.DeclaringType?.Assembly == assembly);

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
