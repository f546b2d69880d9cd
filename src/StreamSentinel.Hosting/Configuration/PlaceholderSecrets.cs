namespace StreamSentinel.Hosting.Configuration;

/// <summary>
/// Secrets everyone knows: the placeholders of examples and docker-compose ("change-me-…") and the development
/// passwords compose once shipped as defaults. Options validation refuses them at start, naming the setting, so that
/// a deployment cannot run on a secret copied from the repository (issue 18, item 7).
/// </summary>
public static class PlaceholderSecrets
{
    private static readonly string[] Known = ["stream-sentinel-dev", "writer-dev-password", "analyst-dev-password", "bi-dev-password", "writer-ch-dev-password"];

    public static bool IsPlaceholder(string? secret) =>
        secret is { Length: > 0 }
        && (secret.StartsWith("change-me", StringComparison.OrdinalIgnoreCase)
            || Known.Contains(secret, StringComparer.OrdinalIgnoreCase));

    /// <summary>The message for <paramref name="setting"/> holding a placeholder.</summary>
    public static string Refusal(string setting) =>
        $"{setting} holds a well-known placeholder or development secret: set a random one of your own (e.g. openssl rand -hex 32).";
}
