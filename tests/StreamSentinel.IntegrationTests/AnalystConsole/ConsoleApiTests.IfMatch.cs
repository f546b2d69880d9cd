using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>If-Match read as the typed header it is (issue 21), on the console the other API tests start.</summary>
public sealed partial class ConsoleApiTests
{
    [Test]
    public async Task If_match_takes_only_the_strong_quoted_version_it_was_given()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        var id = await AlertIdAsync(_alerts[^1].Result.TransactionId);
        var version = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["version"]!.GetValue<uint>()
            .ToString(System.Globalization.CultureInfo.InvariantCulture);

        var refused = new Dictionary<string, HttpStatusCode>();
        foreach (var header in new[] { version, $"W/\"{version}\"", "\"not-a-version\"", "garbage\"", "*", $"\"{version}\", \"{version}\"" })
        {
            using var response = await ana.SendAsync(Change(id, header));
            refused[header] = response.StatusCode;
        }

        using var accepted = await ana.SendAsync(Change(id, $"\"{version}\""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Values, Has.All.EqualTo(HttpStatusCode.PreconditionRequired), string.Join(", ", refused.Select(r => $"{r.Key} → {(int)r.Value}")));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the quoted version, as the ETag was sent");
        }
    }

    private static HttpRequestMessage Change(Guid id, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{id}/status") { Content = JsonContent.Create(new { status = "INVESTIGATING", assignee = "ana" }) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }
}
