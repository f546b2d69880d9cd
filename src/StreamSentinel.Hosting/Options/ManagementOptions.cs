using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StreamSentinel.Hosting.Options;

/// <summary>
/// Where /healthz, /readyz, /metrics and /latency are served (section <c>Management</c>, issue 18). Unset, they share
/// the worker's port, as before. With <see cref="Port"/> set they are served on that port alone, over plain HTTP on
/// <see cref="Host"/>, and the public port (the console, the gateway's intake) answers 404 for them: a network
/// policy can then keep scrapers and orchestrator probes apart from clients.
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary>The management port (<c>Management__Port</c>), 1–65535; unset, probes share the public port.</summary>
    public int? Port { get; set; }

    /// <summary>The address it listens on (<c>Management__Host</c>); loopback unless set.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The section as configured, or a configuration error that names the setting.</summary>
    /// <exception cref="OptionsValidationException">Management:Port is out of range.</exception>
    public static ManagementOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<ManagementOptions>() ?? new ManagementOptions();
        if (options.Port is < 1 or > 65535)
        {
            throw new OptionsValidationException(SectionName, typeof(ManagementOptions), ["Management:Port must be a port from 1 to 65535, or unset to serve probes on the public port."]);
        }

        return options;
    }
}
