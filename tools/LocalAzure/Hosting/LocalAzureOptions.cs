using LocalAzure.Common;
using LocalAzure.World;

namespace LocalAzure.Hosting;

/// <summary>How to start a local Azure: the world, where its state (TLS, ready file) goes, and run-time overrides.</summary>
public sealed class LocalAzureOptions
{
    public required WorldFile World { get; init; }

    /// <summary>Where ready.json, localazure.env and (unless <see cref="Tls"/> is given) tls/ are written. Optional for tests.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>TLS material to use; default: <c>{StateDirectory}/tls</c>, created or reused.</summary>
    public TlsMaterial? Tls { get; init; }

    /// <summary>Overrides the world's ARM port (0 = dynamic).</summary>
    public int? ArmPort { get; init; }

    /// <summary>Overrides the world's blob front port (0 = dynamic).</summary>
    public int? BlobPort { get; init; }

    /// <summary>Overrides the world's time scale (real milliseconds per modelled minute).</summary>
    public double? RealMillisecondsPerModelledMinute { get; init; }

    /// <summary>Where azurite is installed; default: the blob service's own lookup (LOCALAZURE_NODE_MODULES, tools/LocalAzure/node_modules).</summary>
    public string? NodeModulesDirectory { get; init; }

    /// <summary>Progress messages (startup steps); null = silent.</summary>
    public Action<string>? Log { get; init; }
}
