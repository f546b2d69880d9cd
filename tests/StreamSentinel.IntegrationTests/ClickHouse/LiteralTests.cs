using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.ClickHouse;

/// <summary>
/// Query parameters do not work on ClickHouse 18.16, so literals are the only way values reach SQL: every awkward
/// string must come back from the real server exactly as it went in.
/// </summary>
public sealed class LiteralTests
{
    private ScratchDatabases _databases = null!;

    [OneTimeSetUp]
    public async Task CreateAsync() => _databases = await IsolatedDatabases.CreateAsync();

    [OneTimeTearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [TestCase("plain")]
    [TestCase("it's")]
    [TestCase("back\\slash")]
    [TestCase("'; DROP TABLE x; --")]
    [TestCase("tab\there, newline\nthere, return\r")]
    [TestCase("nul\0byte")]
    [TestCase("bell\u0007 and escape\u001b")]
    [TestCase("ünïcødé ✓ 日本")]
    [TestCase("c1 control \u0085 and delete \u007f")]
    [TestCase("")]
    public async Task String_round_trips_through_the_server(string value)
    {
        var rows = await _databases.ClickHouse.QueryTsvAsync($"SELECT {ClickHouseLiteral.Text(value)}", CancellationToken.None);

        Assert.That(rows.Single().Single(), Is.EqualTo(value));
    }

    [Test]
    public async Task Date_time_is_read_as_utc()
    {
        var moment = new DateTimeOffset(2026, 11, 25, 23, 59, 58, TimeSpan.FromHours(-5));

        var rows = await _databases.ClickHouse.QueryTsvAsync($"SELECT toString({ClickHouseLiteral.DateTime(moment)}, 'UTC')", CancellationToken.None);

        Assert.That(rows.Single().Single(), Is.EqualTo("2026-11-26 04:59:58"));
    }

    [Test]
    public async Task Identifier_quotes_names_that_need_it()
    {
        await _databases.ClickHouse.ExecuteAsync($"CREATE TABLE {ClickHouseLiteral.Identifier("odd`name")} (x UInt8) ENGINE = Memory", CancellationToken.None);

        var rows = await _databases.ClickHouse.QueryTsvAsync("SELECT name FROM system.tables WHERE database = currentDatabase()", CancellationToken.None);

        Assert.That(rows.Select(r => r[0]), Does.Contain("odd`name"));
    }

    [Test]
    public async Task Server_version_is_read()
    {
        var version = await _databases.ClickHouse.GetServerVersionAsync(CancellationToken.None);

        Assert.That(version, Is.GreaterThanOrEqualTo(new Version(18, 16)));
    }
}
