using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Tests;

public sealed class MigrationScriptTests
{
    [Test]
    public void Version_and_requirements_come_from_the_name_and_the_header()
    {
        var script = MigrationScript.Parse("0042_add_ttl.sql", "-- stream-sentinel: requires ttl, codecs\nALTER TABLE x MODIFY TTL d;");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.Version, Is.EqualTo(42));
            Assert.That(script.Requirements, Is.EquivalentTo(new[] { "ttl", "codecs" }));
            Assert.That(script.Checksum, Does.Match("^[0-9a-f]{64}$"));
        }
    }

    [Test]
    public void Line_endings_do_not_change_the_checksum_but_any_other_edit_does()
    {
        var unix = MigrationScript.Parse("0001_a.sql", "CREATE TABLE a (x int);\n");
        var windows = MigrationScript.Parse("0001_a.sql", "CREATE TABLE a (x int);\r\n");
        var edited = MigrationScript.Parse("0001_a.sql", "CREATE TABLE a (x bigint);\n");

        Assert.That(windows.Checksum, Is.EqualTo(unix.Checksum));
        Assert.That(edited.Checksum, Is.Not.EqualTo(unix.Checksum));
    }

    [TestCase("1_short.sql")]
    [TestCase("0001-dash.sql")]
    [TestCase("0001_Upper.sql")]
    [TestCase("0001_name.txt")]
    public void Badly_named_scripts_are_refused(string name)
    {
        Assert.That(() => MigrationScript.Parse(name, "SELECT 1"), Throws.TypeOf<FormatException>().With.Message.Contains("NNNN_words.sql"));
    }

    [Test]
    public void Shipped_scripts_are_numbered_without_gaps_from_one()
    {
        foreach (var target in Enum.GetValues<MigrationTarget>())
        {
            var versions = ScriptCatalog.For(target).Select(s => s.Version).ToList();
            Assert.That(versions, Is.EqualTo(Enumerable.Range(1, versions.Count)), target.ToString());
        }
    }
}
