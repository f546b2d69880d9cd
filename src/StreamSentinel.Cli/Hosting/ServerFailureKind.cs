namespace StreamSentinel.Cli.Hosting;

/// <summary>
/// Why a server did not serve a one-shot command. The value is the process exit code, so a script can tell a server
/// that is down from one that refuses the password without reading the message (README, "Exit codes").
/// </summary>
internal enum ServerFailureKind
{
    /// <summary>Nothing listens at the address, or the host name does not resolve.</summary>
    Unreachable = 10,

    /// <summary>Something listens but did not answer in time.</summary>
    TimedOut = 11,

    /// <summary>The server answered and refused the user name or password.</summary>
    AuthenticationFailed = 12,

    /// <summary>The server answered but the database named in the connection string does not exist.</summary>
    DatabaseMissing = 13,

    /// <summary>The database exists but a table, view or topic the command reads does not: the schema was not applied.</summary>
    SchemaMissing = 14,
}
