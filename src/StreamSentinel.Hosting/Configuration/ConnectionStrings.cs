using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StreamSentinel.Hosting.Configuration;

/// <summary>The one way adapters read their connection string, so a missing one fails alike everywhere.</summary>
public static class ConnectionStrings
{
    /// <summary>The connection string <paramref name="name"/>, or a configuration error naming the variable to set.</summary>
    /// <exception cref="OptionsValidationException">It is missing; hosts report this as bad configuration (exit code 2).</exception>
    public static string Required(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString(name);
        var key = $"ConnectionStrings:{name}";
        if (!string.IsNullOrWhiteSpace(value))
        {
            if (PlaceholderSecrets.IsPlaceholder(PasswordOf(value)))
            {
                throw new OptionsValidationException(key, typeof(string), [PlaceholderSecrets.Refusal($"The password in {key}")]);
            }

            return value;
        }

        var variable = StackEnvironment.Keys.FirstOrDefault(pair => pair.Value == key).Key ?? $"ConnectionStrings__{name}";
        throw new OptionsValidationException(key, typeof(string), [$"{key} is not set. Set {variable} (scripts/stack.sh up writes it to .stack/env)."]);
    }

    // Key=value;… strings (PostgreSQL, ClickHouse); Redis's host:port,password=… form is read by its own parser.
    private static string? PasswordOf(string connectionString)
    {
        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            return builder.TryGetValue("Password", out var password) ? password as string : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
