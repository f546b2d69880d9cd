using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Tests;

public sealed class SqlStatementsTests
{
    [Test]
    public void Splits_at_semicolons_and_drops_empty_statements()
    {
        Assert.That(SqlStatements.Split("CREATE TABLE a (x UInt8);\n\n;  SELECT 1 ;\n"), Is.EqualTo(new[] { "CREATE TABLE a (x UInt8)", "SELECT 1" }));
    }

    [Test]
    public void Semicolons_in_quotes_and_comments_do_not_split()
    {
        var statements = SqlStatements.Split(
            """
            -- a comment; with a semicolon
            SELECT 'a;b', "c;d", `e;f`; /* block; comment */ SELECT 'it''s; fine', 'back\';slash'
            """);

        Assert.That(statements, Is.EqualTo(new[] { "SELECT 'a;b', \"c;d\", `e;f`", "SELECT 'it''s; fine', 'back\\';slash'" }));
    }

    [Test]
    public void A_script_of_only_comments_has_no_statements()
    {
        Assert.That(SqlStatements.Split("-- nothing here;\n/* nor; here */\n"), Is.Empty);
    }

    [Test]
    public void Unterminated_quote_is_an_error_not_a_guess()
    {
        Assert.That(() => SqlStatements.Split("SELECT 'oops; SELECT 2"), Throws.TypeOf<FormatException>().With.Message.Contains("Unterminated"));
    }

    [Test]
    public void Every_shipped_clickhouse_script_splits_into_schema_statements()
    {
        foreach (var script in ScriptCatalog.For(MigrationTarget.ClickHouse))
        {
            var statements = SqlStatements.Split(script.Sql);
            Assert.That(statements, Is.Not.Empty, script.Name);
            // A rebuild (0010) also copies rows, renames and drops: still one statement each, never a fragment.
            Assert.That(statements, Has.All.Match("^(CREATE|ALTER|INSERT INTO|RENAME TABLE|DROP TABLE) "), script.Name);
        }
    }
}
