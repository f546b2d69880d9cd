using Microsoft.Extensions.Configuration;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.AppHost;

// The whole fleet, the Aspire way: `dotnet run --project src/StreamSentinel.AppHost`. Without Docker it runs this
// machine's servers through scripts/stack.sh; with Stack__UseContainers=true, official container images instead.
var builder = DistributedApplication.CreateBuilder(args);
var settings = builder.Configuration.GetSection("Stack").Get<StackSettings>() ?? new StackSettings();
var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));

var stores = settings.UseContainers ? Stores.FromContainers(builder) : Stores.FromLocalStack(builder, LocalStack.Prepare(repository, settings));

var migrate = builder.AddProject<Projects.StreamSentinel_Cli>("migrate")
    .WithArgs("migrate")
    .WithStores(stores, redis: false)
    .WithAccounts(stores)
    .WaitFor(stores.Postgres)
    .WaitFor(stores.ClickHouse);

IResourceBuilder<ProjectResource> Worker(string name, string kind) =>
    builder.AddProject<Projects.StreamSentinel_Cli>(name)
        .WithHttpEndpoint(name: "http")
        .WithArgs(context =>
        {
            var endpoint = ((IResourceWithEndpoints)context.Resource).GetEndpoint("http");
            context.Args.Add("run");
            context.Args.Add(kind);
            context.Args.Add("--instance");
            context.Args.Add(name);
            context.Args.Add("--http-port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        })
        .WithHttpHealthCheck("/readyz")
        .WithStores(stores, redis: kind == "detection")
        .WaitForCompletion(migrate);

// The key the console signs its audit events with and persistence checks them with: generated once, in user secrets.
var auditSigningKey = builder.AddParameter("audit-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

Worker("detection", "detection").WaitFor(stores.Redis);
for (var i = 1; i <= settings.PersistenceWorkers; i++)
{
    Worker($"persistence-{i}", "persistence")
        .As("SS_POSTGRES", stores.PostgresWriter)
        .As("SS_CLICKHOUSE", stores.ClickHouseWriter)
        .WithEnvironment("AuditSigning__KeyId", "apphost-1")
        .WithEnvironment("AuditSigning__Key", auditSigningKey);
}

// The gateway's bearer token: generated once and kept in the AppHost's user secrets; shown in the dashboard.
var token = builder.AddParameter("gateway-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
Worker("gateway", "gateway").WithEnvironment("Gateway__Tokens__0", token);

// The analysts' console with one analyst, "analyst", whose password is generated once and kept in user secrets.
var analystPassword = builder.AddParameter("console-analyst-password", new GenerateParameterDefault { MinLength = 16, Special = false }, secret: true, persist: true);
Worker("console", "console")
    .As("SS_POSTGRES", stores.PostgresAnalyst)
    .As("SS_CLICKHOUSE", stores.ClickHouseBi)
    .WithEnvironment("AuditSigning__KeyId", "apphost-1")
    .WithEnvironment("AuditSigning__Key", auditSigningKey)
    .WithEnvironment("Console__Users__0__Name", "analyst")
    // Configuration holds only the password's hash (PBKDF2): made here from the secret, at each start.
    .WithEnvironment(async context => context.EnvironmentVariables["Console__Users__0__PasswordHash"] =
        ConsolePasswords.Hash(await analystPassword.Resource.GetValueAsync(context.CancellationToken) ?? ""))
    .WithEnvironment("Console__Users__0__Role", "analyst");

builder.Build().Run();
