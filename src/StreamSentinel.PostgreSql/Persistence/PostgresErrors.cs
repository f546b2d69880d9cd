using Npgsql;

namespace StreamSentinel.PostgreSql.Persistence;

public static class PostgresErrors
{
    /// <summary>
    /// Class 22 (data exception) or 23 (integrity constraint violation): the row, not the server, is the problem, so
    /// it is dead-lettered and the rest of the batch written, rather than retried forever.
    /// </summary>
    public static bool IsRejectedData(PostgresException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.SqlState.StartsWith("22", StringComparison.Ordinal) || error.SqlState.StartsWith("23", StringComparison.Ordinal);
    }
}
