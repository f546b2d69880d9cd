using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Tests;

public sealed class MigrationPlannerTests
{
    private static readonly MigrationScript First = MigrationScript.Parse("0001_first.sql", "SELECT 1;");
    private static readonly MigrationScript Second = MigrationScript.Parse("0002_second.sql", "SELECT 2;");
    private static readonly MigrationScript NeedsTtl = MigrationScript.Parse("0003_ttl.sql", "-- stream-sentinel: requires ttl\nSELECT 3;");
    private static readonly MigrationScript Fourth = MigrationScript.Parse("0004_fourth.sql", "SELECT 4;");

    [Test]
    public void Nothing_applied_means_everything_is_pending_in_order()
    {
        Assert.That(MigrationPlanner.Pending(MigrationTarget.Postgres, [First, Second], []), Is.EqualTo(new[] { First, Second }));
    }

    [Test]
    public void Applied_scripts_are_not_pending()
    {
        Assert.That(MigrationPlanner.Pending(MigrationTarget.Postgres, [First, Second], [Applied(First)]), Is.EqualTo(new[] { Second }));
    }

    [Test]
    public void Every_problem_is_reported_at_once()
    {
        var edited = new AppliedMigration(1, First.Name, new string('0', 64));
        var unknown = new AppliedMigration(9, "0009_future.sql", new string('1', 64));

        var refusal = Assert.Throws<MigrationRefusedException>(() => MigrationPlanner.Pending(MigrationTarget.ClickHouse, [First], [edited, unknown]));

        Assert.That(refusal!.Problems, Has.Count.EqualTo(2));
        Assert.That(refusal.Message, Does.StartWith("ClickHouse: migrations refused."));
    }

    [Test]
    public void A_script_waiting_for_a_server_feature_may_run_after_later_ones()
    {
        var pending = MigrationPlanner.Pending(MigrationTarget.ClickHouse, [First, Second, NeedsTtl, Fourth], [Applied(First), Applied(Second), Applied(Fourth)]);

        Assert.That(pending, Is.EqualTo(new[] { NeedsTtl }));
    }

    private static AppliedMigration Applied(MigrationScript script) => new(script.Version, script.Name, script.Checksum);
}
