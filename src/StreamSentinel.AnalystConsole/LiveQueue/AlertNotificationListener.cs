using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StreamSentinel.AnalystConsole.Cases;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.Hosting.Resilience;

namespace StreamSentinel.AnalystConsole.LiveQueue;

/// <summary>
/// This console's one <c>LISTEN fraud_alerts</c> connection (sql/postgres/0014_alert_notifications.sql): the triggers
/// notify once per statement that inserts or changes alerts, and every notification goes to the browsers through
/// <see cref="LiveQueueHub"/>. Nothing polls the alert table. A lost connection is opened again with backoff; the
/// browsers are then told to reload, since notifications sent meanwhile are lost (PostgreSQL keeps none for a listener
/// that is gone).
/// </summary>
public sealed class AlertNotificationListener(
    NpgsqlDataSource dataSource, LiveQueueHub hub, CaseRoundRobin roundRobin, ILogger<AlertNotificationListener> logger) : BackgroundService
{
    public const string Channel = "fraud_alerts";

    // An idle connection is probed this often, so that a dead one is noticed and replaced instead of waited on forever.
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        var listenedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, notification) => Relay(notification.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Log.Listening(logger, Channel);
                backoff.Reset();
                // Cases stored while nobody listened have no notification coming: the rotation looks now.
                roundRobin.Wake();
                if (listenedBefore)
                {
                    hub.Publish(LiveQueueEvent.Resync);
                }

                listenedBefore = true;
                while (true)
                {
                    if (!await connection.WaitAsync(Idle, stoppingToken))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
            {
                var delay = backoff.Next();
                Log.ListenFailed(logger, backoff.Attempts, (int)delay.TotalMilliseconds, exception);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Relay(string payload)
    {
        JsonObject? notification;
        try
        {
            notification = JsonNode.Parse(payload) as JsonObject;
        }
        catch (JsonException)
        {
            notification = null;
        }

        if (notification is null)
        {
            Log.UnreadableNotification(logger, payload);
            return;
        }

        if (notification["kind"] is JsonValue kind && kind.TryGetValue<string>(out var text) && text == "created")
        {
            roundRobin.Wake();
        }

        // Re-serialized: one line of JSON whatever the server sent, so it cannot break the event stream's framing.
        hub.Publish(new LiveQueueEvent("alerts", notification.ToJsonString()));
    }
}
