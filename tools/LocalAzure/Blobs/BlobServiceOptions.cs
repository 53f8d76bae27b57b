using LocalAzure.Common;

namespace LocalAzure.Blobs;

/// <summary>A storage account Azurite serves: its name and its base64 shared key.</summary>
public sealed record StorageAccountSeed(string Name, string Base64Key);

/// <summary>How the blob side of the local Azure starts: accounts, TLS, modelled time, faults, request log, bandwidth.</summary>
public sealed class BlobServiceOptions
{
    public required IReadOnlyList<StorageAccountSeed> Accounts { get; init; }

    public required TlsMaterial Tls { get; init; }

    public required IModelClock Clock { get; init; }

    public required IFaultInjector Faults { get; init; }

    public required IRequestLog RequestLog { get; init; }

    /// <summary>
    /// The node_modules folder holding azurite 3.37.0 (<c>npm ci --prefix tools/LocalAzure</c>). Defaults to
    /// <c>LOCALAZURE_NODE_MODULES</c> if set, else the first <c>tools/LocalAzure/node_modules</c> (or
    /// <c>node_modules</c> next to the app) found walking up from the app base directory and the current directory.
    /// </summary>
    public string NodeModulesDirectory { get; init; } = NodeModulesLocator.Locate();

    /// <summary>The node executable; defaults to <c>LOCALAZURE_NODE</c> if set, else <c>node</c> from PATH.</summary>
    public string NodeExecutable { get; init; } = Environment.GetEnvironmentVariable("LOCALAZURE_NODE") is { Length: > 0 } node
        ? node
        : "node";

    /// <summary>Modelled read bandwidth of one page blob, shared fairly among the copies reading it (Azure target: 60 MiB/s).</summary>
    public double PageBlobReadMiBPerSecond { get; init; } = 60;

    /// <summary>Modelled egress cap of one account, shared fairly among the copies reading from it; null = unlimited.</summary>
    public double? AccountEgressMiBPerSecond { get; init; }

    /// <summary>
    /// When true (default), a pending copy whose source was given with a SAS fails (403 in its status description)
    /// once that SAS expires in modelled time: the service reads the source with that SAS for the whole copy.
    /// </summary>
    public bool FailCopyWhenSourceSasExpires { get; init; } = true;

    /// <summary>The front's port on 127.0.0.1; 0 = a free port.</summary>
    public int Port { get; init; }

    /// <summary>How long to wait for Azurite to listen before giving up (real time).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Finds tools/LocalAzure/node_modules from where the app or the tests run.</summary>
internal static class NodeModulesLocator
{
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("LOCALAZURE_NODE_MODULES") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var inRepo = Path.Combine(directory.FullName, "tools", "LocalAzure", "node_modules");
                if (Directory.Exists(Path.Combine(inRepo, "azurite")))
                {
                    return inRepo;
                }

                var beside = Path.Combine(directory.FullName, "node_modules");
                if (Directory.Exists(Path.Combine(beside, "azurite")))
                {
                    return beside;
                }
            }
        }

        // Not installed: name the place it is expected in, so the error message says where to run npm ci.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tools", "LocalAzure", "LocalAzure.csproj")))
            {
                return Path.Combine(directory.FullName, "tools", "LocalAzure", "node_modules");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "node_modules");
    }
}
