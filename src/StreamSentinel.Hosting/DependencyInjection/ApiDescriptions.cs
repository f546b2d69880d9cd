using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace StreamSentinel.Hosting.DependencyInjection;

/// <summary>
/// A machine-readable description of a host's HTTP API (ASP.NET Core's OpenAPI document at <c>/openapi/v1.json</c>)
/// and an interactive reference over it (Scalar at <c>/scalar</c>). Both are anonymous: they describe routes and
/// shapes, never data, and a client generator or a reviewer should not need an account to read them (issue 19).
/// </summary>
public static class ApiDescriptions
{
    public const string DocumentPath = "/openapi/v1.json";

    public const string ReferencePath = "/scalar";

    /// <param name="builder">The host's builder.</param>
    /// <param name="title">The API's title in the document and on the reference page.</param>
    /// <param name="summary">What the API is for, in a sentence or two.</param>
    public static TBuilder AddApiDescription<TBuilder>(this TBuilder builder, string title, string summary)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = title, Version = "v1", Description = summary };
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDescription(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, options => options.WithOpenApiRoutePattern(DocumentPath)).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Declares the answers an endpoint behind authorization may also give: 401 without credentials, 403 without
    /// the role. They come from the authentication handler, not the endpoint, so the description would miss them.
    /// </summary>
    public static TBuilder ProducesAuthorizationProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void), []),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(void), []));
    }
}
