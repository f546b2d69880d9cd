using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace StreamSentinel.Kafka.Operational;

public static class AuditSigningExtensions
{
    /// <summary>
    /// The audit-events signature (<see cref="AuditSignature"/>) with its key, validated at start: the console signs with
    /// it (its operational publisher signs every audit event), the persistence fleet checks with it.
    /// </summary>
    public static TBuilder AddAuditSigning<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AuditSigningOptions>().BindConfiguration(AuditSigningOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AuditSignature>();
        return builder;
    }
}
