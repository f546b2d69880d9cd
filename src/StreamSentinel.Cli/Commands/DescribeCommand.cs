using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.DependencyInjection;
using StreamSentinel.Redis;
using StreamSentinel.Redis.DependencyInjection;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>describe</c>: what exists on each server: tables and views with row counts, topics, Redis.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var command = new Command(
            "describe",
            "Show what exists on each server: PostgreSQL and ClickHouse tables and views with row counts, Kafka topics with their messages, Redis.");
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, builder => builder.AddSchemaMigrator(), async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var objects = await services.GetRequiredService<SchemaInventory>().ListAsync(cancellationToken);
            var tables = new Table().Title("Databases").Border(TableBorder.Simple).AddColumns("database", "name", "kind").AddColumn("rows", c => c.RightAligned());
            foreach (var item in objects)
            {
                tables.AddRow(Markup.Escape(item.Target.ToString()), Markup.Escape(item.Name), Markup.Escape(item.Kind), item.Rows.HasValue ? Count(item.Rows.Value) : "-");
            }

            AnsiConsole.Write(tables);

            var bootstrap = configuration[$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)}"];
            if (!string.IsNullOrWhiteSpace(bootstrap))
            {
                var topics = new Table().Title($"Kafka ({Markup.Escape(bootstrap)})").Border(TableBorder.Simple)
                    .AddColumns("topic").AddColumn("partitions", c => c.RightAligned()).AddColumn("messages", c => c.RightAligned()).AddColumn("retention dropped some");
                foreach (var topic in TopicSummary.ReadAll(bootstrap, TimeSpan.FromSeconds(10), services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)))
                {
                    topics.AddRow(Markup.Escape(topic.Topic), Count(topic.Partitions), Count(topic.Messages), topic.Truncated ? "yes" : "no");
                }

                AnsiConsole.Write(topics);
            }

            if (configuration.GetConnectionString(RedisExtensions.ConnectionStringName) is { Length: > 0 } redisConfiguration)
            {
                var redis = await RedisServerInfo.ReadAsync(redisConfiguration);
                AnsiConsole.WriteLine($"Redis {redis.Version} at {redis.Endpoint}: {Count(redis.Keys)} keys, persistence: {redis.Persistence}");
            }
            return 0;
        }));
        return command;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
