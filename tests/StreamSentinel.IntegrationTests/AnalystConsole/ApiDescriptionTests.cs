using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamSentinel.AnalystConsole.DependencyInjection;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.Gateway.DependencyInjection;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// The console's and the gateway's OpenAPI documents against what each host really maps: built in this process with
/// the same registration the CLI uses (AddAnalystConsole/MapAnalystConsole, AddGateway/MapGateway), so that the
/// routing table itself (<see cref="EndpointDataSource"/>) can be compared with the document the host serves.
/// </summary>
public sealed class ApiDescriptionTests
{
    /// <summary>What is deliberately left out of a document: web pages, the description itself, probes and scrapes.</summary>
    private static readonly string[] Undescribed =
    [
        "/healthz", "/readyz", "/metrics", "/latency", "/openapi/v1.json",
        "/scalar/{documentName?}", "/scalar/scalar.js", "/scalar/scalar.aspnetcore.js", "/scalar/favicon.svg",
    ];

    private static readonly string[] ConsolePages = ["/login", "/", "/alerts/{id:guid}", "/cases", "/cases/{id:guid}", "/approvals", "/bi", "/sre"];

    [Test]
    public async Task The_console_describes_every_endpoint_it_maps_with_its_status_codes()
    {
        // Migrated databases of its own: the console reads its key ring from PostgreSQL when it starts.
        await using var databases = await IsolatedDatabases.CreateMigratedAsync();
        await using var app = await StartAsync(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = databases.PostgresConnectionString,
                ["ConnectionStrings:ClickHouse"] = databases.ClickHouseConnectionString,
                ["Kafka:BootstrapServers"] = TestServers.Current.Kafka,
                ["Console:Users:0:Name"] = "ana",
                ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash("ana-password-0123"),
                ["Console:Users:0:Role"] = "analyst",
                // The console signs its audit events; any key serves to describe the API.
                ["AuditSigning:KeyId"] = "test-1",
                ["AuditSigning:Key"] = "a-test-key-of-forty-characters-000000000",
            },
            builder => builder.AddServiceDefaults().AddAnalystConsole(),
            app => app.MapAnalystConsole());

        var (described, undescribed) = await CompareAsync(app);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(described, Does.Contain("POST /api/alerts/{id}/status").And.Contain("GET /api/alerts").And.Contain("POST /api/session"));
            Assert.That(undescribed, Is.EquivalentTo(Undescribed.Concat(ConsolePages)));
        }
    }

    [Test]
    public async Task The_gateway_describes_every_endpoint_it_maps_with_its_status_codes()
    {
        await using var app = await StartAsync(
            new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = TestServers.Current.Kafka,
                ["Gateway:Tokens:0"] = "test-token-0123456789",
            },
            builder => builder.AddServiceDefaults().AddGateway(),
            app => app.MapGateway());

        var (described, undescribed) = await CompareAsync(app);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(described, Is.EquivalentTo(new[] { "POST /v1/transactions", "POST /v1/transactions/batch" }));
            Assert.That(undescribed, Is.EquivalentTo(Undescribed));
        }
    }

    [Test]
    public async Task The_reference_page_and_its_script_are_served_without_signing_in()
    {
        await using var app = await StartAsync(
            new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = TestServers.Current.Kafka,
                ["Gateway:Tokens:0"] = "test-token-0123456789",
            },
            builder => builder.AddServiceDefaults().AddGateway(),
            app => app.MapGateway());
        using var http = new HttpClient { BaseAddress = Address(app) };

        var page = await http.GetAsync("/scalar");
        var html = await page.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(html, Does.Contain("\"url\":\"openapi/v1.json\""), "the page reads this host's document (relative to the host's base)");
            Assert.That((await http.GetAsync("/scalar/scalar.js")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "the script ships in the package: no CDN");
        }
    }

    /// <summary>
    /// Every endpoint of the routing table against the served document: an endpoint that is not explicitly left out
    /// must be there under its method and path, answering exactly the status codes its metadata declares (and at least
    /// one); one behind authorization must declare 401. Returns the described ("GET /path") and the left-out patterns.
    /// </summary>
    private static async Task<(List<string> Described, List<string> Undescribed)> CompareAsync(WebApplication app)
    {
        using var http = new HttpClient { BaseAddress = Address(app) };
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        var described = new List<string>();
        var undescribed = new List<string>();
        var documented = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}")).ToHashSet();

        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true }
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is null)
            {
                undescribed.Add(pattern);
                continue;
            }

            // The document writes parameters without their route constraints: /api/alerts/{id:guid} -> /api/alerts/{id}.
            var path = string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                _ => part.ToString(),
            }))));
            path = "/" + path;
            var declared = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            var secured = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is not null
                && endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var name = $"{method} {path}";
                described.Add(name);
                Assert.That(documented, Does.Contain(name), "mapped but not in the document");
                var responses = paths[path]?[method.ToLowerInvariant()]?["responses"]?.AsObject().Select(r => r.Key).ToHashSet() ?? [];
                Assert.That(declared, Is.Not.Empty, $"{name} declares no status codes (Produces metadata)");
                Assert.That(responses, Is.EquivalentTo(declared), $"{name}: the document's status codes against the endpoint's metadata");
                if (secured)
                {
                    Assert.That(declared, Does.Contain("401"), $"{name} needs authorization, so it may answer 401");
                }
            }
        }

        Assert.That(documented, Is.EquivalentTo(described), "nothing in the document that the host does not map");
        return (described, undescribed);
    }

    private static async Task<WebApplication> StartAsync(
        Dictionary<string, string?> settings, Action<WebApplicationBuilder> add, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        add(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
