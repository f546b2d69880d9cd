using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Issue 18, item 7, at the console: BI windows bounded by default and refused when too long, a BI query past its
/// limit answered with a clear 422 (the server stays up), probes on a management port of their own, and the fleet
/// page without exception text.
/// </summary>
public sealed class ConsoleLeastPrivilegeTests
{
    private static readonly (string, string, string)[] Users = [("vera", "vera-password-0123", "viewer")];

    private ConsoleFixture _fixture = null!;
    private int _managementPort;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _managementPort = FreePort();
        _fixture = await ConsoleFixture.StartAsync(
            seed: 71, alertShare: 0.3, results: 200, Users, [],
            new Dictionary<string, string> { ["Management__Port"] = $"{_managementPort}" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task A_bi_query_without_a_window_reads_the_last_30_days_and_a_longer_window_is_refused()
    {
        using var viewer = await SignInAsync(_fixture.Address);
        var bare = JsonNode.Parse(await viewer.GetStringAsync("/api/bi/rules_firing"))!;
        var from = bare["from"]!.GetValue<DateTimeOffset>();
        var to = bare["to"]!.GetValue<DateTimeOffset>();
        var tooLong = await viewer.GetAsync("/api/bi/rules_firing?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z");
        var allTime = await viewer.GetAsync("/api/bi/rules_firing?from=1970-01-01T00:00:00Z");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(to - from, Is.EqualTo(TimeSpan.FromDays(30)));
            Assert.That(to, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
            Assert.That(bare["rows"]!.AsArray(), Is.Not.Empty, "the fixture's results of the last hours are in the default window");
            Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await tooLong.Content.ReadAsStringAsync(), Does.Contain("at most 400 days"));
            Assert.That(allTime.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "1970 to now is no longer a question a viewer may ask");
        }
    }

    [Test]
    public async Task A_bi_query_past_its_limit_fails_with_a_clear_422_and_the_console_and_server_stay_up()
    {
        var settings = new Dictionary<string, string> { ["Console__BiMaxRowsToRead"] = "1" };
        await using var limited = await ConsoleFixture.StartAsync(seed: 72, alertShare: 0.3, results: 200, Users, [], settings);
        using var viewer = await SignInAsync(limited.Address);

        var refused = await viewer.GetAsync("/api/bi/rules_firing");
        var body = await refused.Content.ReadAsStringAsync();
        var list = await viewer.GetAsync("/api/bi");
        using var anonymous = new HttpClient { BaseAddress = limited.Address };
        var ready = await anonymous.GetAsync("/readyz");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.StatusCode, Is.EqualTo((HttpStatusCode)422), body);
            Assert.That(body, Does.Contain("went past the BI account's limits"));
            Assert.That(body, Does.Not.Contain("DB::Exception").And.Not.Contain("   at "), "no server text or stack to the viewer");
            Assert.That(limited.Console.Output, Does.Contain("went past a limit of the BI account"), "the detail is logged");
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the console still serves");
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "ClickHouse and PostgreSQL still answer");
        }
    }

    [Test]
    public async Task The_bi_account_itself_stops_a_query_that_reads_too_many_rows_and_the_server_stays_up()
    {
        Assert.That(TestServers.Current.ClickHouseBi, Is.Not.Null, "No SS_CLICKHOUSE_BI: scripts/stack.sh up defines sentinel_bi.");
        using var client = new global::ClickHouse.Driver.ClickHouseClient(TestServers.Current.ClickHouseBi!);
        var bi = new StreamSentinel.ClickHouse.Querying.ClickHouseDatabase(client);

        // Five hundred million rows and more: the profile's max_rows_to_read stops it before it reads them.
        var error = Assert.ThrowsAsync<global::ClickHouse.Driver.ClickHouseServerException>(
            () => bi.QueryTsvAsync("SELECT count() FROM system.numbers LIMIT 600000000", CancellationToken.None));
        var after = await bi.QueryTsvAsync("SELECT 1", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(158).Or.EqualTo(396), error.Message);
            Assert.That(error.Message, Does.Contain("Limit for rows"));
            Assert.That(after[0][0], Is.EqualTo("1"), "the server answers the next query");
        }
    }

    [Test]
    public async Task Probes_are_served_on_the_management_port_alone_and_the_fleet_page_leaks_no_exception_text()
    {
        using var viewer = await SignInAsync(_fixture.Address);
        using var anonymous = new HttpClient();
        var management = new Uri($"http://127.0.0.1:{_managementPort}");
        var fleet = JsonNode.Parse(await viewer.GetStringAsync("/api/fleet"))!;
        var gone = fleet["probed"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "gone")!;

        using (Assert.EnterMultipleScope())
        {
            foreach (var probe in new[] { "/healthz", "/readyz", "/metrics" })
            {
                Assert.That((await anonymous.GetAsync(new Uri(management, probe))).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"management {probe}");
                Assert.That((await anonymous.GetAsync(new Uri(_fixture.Address, probe))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"public {probe}");
            }

            Assert.That((await anonymous.GetAsync(new Uri(management, "/login"))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing but probes there");
            // A Host header naming the management port does not open it on the public one.
            using var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri(_fixture.Address, "/metrics"));
            spoofed.Headers.Host = $"127.0.0.1:{_managementPort}";
            Assert.That((await anonymous.SendAsync(spoofed)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(gone["readiness"]!.GetValue<string>(), Is.EqualTo("unreachable"), "no exception text for viewers");
            Assert.That(_fixture.Console.Output, Does.Contain("Fleet probe of gone"), "the detail is logged");
        }
    }

    private static async Task<HttpClient> SignInAsync(Uri address)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = address };
        var response = await http.PostAsJsonAsync("/api/session", new { name = "vera", password = "vera-password-0123" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return http;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
