using System.Data.Common;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// Statements sent to ClickHouse's HTTP interface as they are, for the few a test needs that the driver cannot run on
/// 18.16 (<c>INSERT … SELECT</c>: the driver asks for an answer in RowBinaryWithNamesAndTypes, which that server lacks).
/// </summary>
internal static class ClickHouseHttp
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        var settings = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string Setting(string key, string fallback) => settings.TryGetValue(key, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture)! : fallback;
        var uri = new Uri($"http://{Setting("Host", "127.0.0.1")}:{Setting("Port", "8123")}/?database={Uri.EscapeDataString(Setting("Database", "default"))}");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(sql, Encoding.UTF8) };
        request.Headers.Add("X-ClickHouse-User", Setting("Username", "default"));
        request.Headers.Add("X-ClickHouse-Key", Setting("Password", ""));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, () => $"ClickHouse refused: {sql}\n{body}");
    }
}
