using System.Text.Json;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Cases;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Endpoints;
using StreamSentinel.AnalystConsole.Fleet;
using StreamSentinel.AnalystConsole.LiveQueue;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.ClickHouse.DependencyInjection;
using StreamSentinel.Contracts;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.PostgreSql.DependencyInjection;

namespace StreamSentinel.AnalystConsole.DependencyInjection;

public static class AnalystConsoleExtensions
{
    /// <summary>The console's services: options, cookie sign-in with roles, the alert service, PostgreSQL and ClickHouse, readiness.</summary>
    public static TBuilder AddAnalystConsole<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPostgres().AddClickHouse();
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SlaOptions>().BindConfiguration(SlaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Every status change also goes to audit-events (the fleet copies verdicts to ClickHouse); never blocking a request.
        builder.AddOperationalStreams(
            WorkerKinds.Console,
            services => services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Instance,
            ConsoleMetrics.Profile,
            services => OperationalConfiguration.Of(
                [(ConsoleOptions.SectionName, services.GetRequiredService<IOptions<ConsoleOptions>>().Value)],
                omit: "users"));
        // Signed, so that the persistence fleet believes its verdicts and sign-ins (and nobody else's).
        builder.AddAuditSigning();
        builder.Services.AddSingleton<ConsoleMetrics>();
        builder.Services.AddScoped<AlertService>();
        builder.Services.AddScoped<SessionAudit>();
        builder.Services.AddScoped<CaseService>();
        builder.Services.AddScoped<ApprovalService>();
        builder.Services.AddOptions<FourEyesOptions>().BindConfiguration(FourEyesOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<SlaReport>();
        // The live queue: one LISTEN connection per console, fanned out to a bounded number of browsers.
        builder.Services.AddOptions<LiveQueueOptions>().BindConfiguration(LiveQueueOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LiveQueueHub>();
        builder.Services.AddHostedService<AlertNotificationListener>();
        // Round-robin assignment of new cases, woken by the listener above (off unless Console:AutoAssign:Enabled).
        builder.Services.AddOptions<AutoAssignOptions>().BindConfiguration(AutoAssignOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AutoAssignOptions>, AutoAssignOptionsValidation>();
        builder.Services.AddSingleton<CaseRoundRobin>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CaseRoundRobin>());
        builder.Services.AddHttpClient<FleetService>(FleetService.HttpClientName);
        builder.Services.AddProblemDetails();
        // One key ring for every console instance (PostgreSQL), so a cookie is good at all of them and survives restarts.
        builder.Services.AddDbContext<ConsoleKeyRing>((services, options) => options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddDataProtection().SetApplicationName("stream-sentinel-console").PersistKeysToDbContext<ConsoleKeyRing>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "stream-sentinel-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request was HTTPS (directly or at a trusted proxy); always, when Console:RequireHttps.
            cookie.Cookie.SecurePolicy = builder.Configuration.GetValue<bool>($"{ConsoleOptions.SectionName}:{nameof(ConsoleOptions.RequireHttps)}")
                ? CookieSecurePolicy.Always
                : CookieSecurePolicy.SameAsRequest;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            // The sliding expiry alone would keep an active session forever and a removed user signed in.
            cookie.Events.OnValidatePrincipal = ConsoleSessions.ValidateAsync;
            // An API answers 401 and 403; it does not redirect to a login page.
            cookie.Events.OnRedirectToLogin = context => Status(context.Response, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Status(context.Response, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AnalystConsolePolicies.Read, policy => policy.RequireRole(ConsoleRoles.Analyst, ConsoleRoles.Viewer))
            .AddPolicy(AnalystConsolePolicies.Change, policy => policy.RequireRole(ConsoleRoles.Analyst))
            // An endpoint that names no policy needs a signed-in user: a new endpoint is never public by mistake.
            // Public ones say so (AllowAnonymous: sign-in, pages that redirect to it, health and metrics).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per address, whatever the names tried: bounds how fast one client can guess, before the lockout per name.
            limiter.AddPolicy(SessionEndpoints.SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.SignInsPerMinutePerAddress,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Behind a TLS-terminating proxy the request is HTTPS for the cookie's Secure flag and HSTS, and the
            // client's address (for the lockout) is the proxy's X-Forwarded-For. Only proxies named here are believed.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in builder.Configuration.GetSection($"{ConsoleOptions.SectionName}:{nameof(ConsoleOptions.TrustedProxies)}").Get<string[]>() ?? [])
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }
        });
        builder.Services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        builder.Services.AddHealthChecks().AddCheck<DatabasesHealthCheck>("databases", tags: [ServiceDefaults.ReadyTag]);
        builder.AddApiDescription(
            "Stream-Sentinel analyst console",
            "The alert queue, alerts and their status workflow, BI queries and the fleet's state. Sign in with POST /api/session; the cookie it sets authorizes the rest.");
        return builder;
    }

    /// <summary>The JSON API under /api and the pages over it; health and metrics stay anonymous (MapDefaultEndpoints).</summary>
    public static IEndpointRouteBuilder MapAnalystConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        // HSTS goes out on HTTPS responses only (direct, or through a trusted proxy), and never for localhost.
        app.UseHsts();
        // Scripts and styles hold no data, and the sign-in page needs them: served before authorization.
        PageEndpoints.UseAssets(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        var api = app.MapGroup("/api");
        SessionEndpoints.Map(api);
        AlertEndpoints.Map(api);
        LiveQueueEndpoints.Map(api);
        CaseEndpoints.Map(api);
        InsightEndpoints.Map(api);
        PageEndpoints.Map(app);
        app.MapApiDescription();
        return app;
    }

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
