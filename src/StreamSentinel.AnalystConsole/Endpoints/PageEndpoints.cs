using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>
/// The web pages over the JSON API: sign-in, the alert queue, an alert, the case queue, a case, pending approvals, BI
/// charts and the fleet. Pages and scripts are embedded in this assembly; a page needs a signed-in user (else the
/// sign-in page, then back), scripts and styles do not (they hold no data). Every page forbids inline script and
/// framing (Content-Security-Policy).
/// </summary>
internal static class PageEndpoints
{
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(PageEndpoints).Assembly, "wwwroot");

    /// <summary>Scripts and styles under /assets, for everyone: called before authorization (its fallback policy).</summary>
    public static void UseAssets(WebApplication app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new ManifestEmbeddedFileProvider(typeof(PageEndpoints).Assembly, "wwwroot/assets"),
            RequestPath = "/assets",
            OnPrepareResponse = file => file.Context.Response.Headers.XContentTypeOptions = "nosniff",
        });

    public static void Map(WebApplication app)
    {
        Page(app, "/login", "login.html", signInRequired: false);
        Page(app, "/", "queue.html");
        Page(app, "/alerts/{id:guid}", "alert.html");
        Page(app, "/cases", "cases.html");
        Page(app, "/cases/{id:guid}", "case.html");
        Page(app, "/approvals", "approvals.html");
        Page(app, "/bi", "bi.html");
        Page(app, "/sre", "sre.html");
    }

    private static void Page(WebApplication app, string pattern, string file, bool signInRequired = true)
    {
        var page = Files.GetFileInfo("pages/" + file);
        if (!page.Exists)
        {
            throw new InvalidOperationException($"The console's page wwwroot/pages/{file} is not embedded in {typeof(PageEndpoints).Assembly.GetName().Name}.");
        }

        app.MapGet(pattern, (HttpContext http) =>
        {
            if (signInRequired && http.User.Identity?.IsAuthenticated != true)
            {
                return Results.Redirect("/login?returnUrl=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
            }

            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "same-origin";
            return Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
