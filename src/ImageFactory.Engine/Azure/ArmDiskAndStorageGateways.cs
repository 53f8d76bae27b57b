using System.Text.Json.Nodes;

namespace ImageFactory.Engine.Azure;

/// <summary>Managed-disk export through Microsoft.Compute (beginGetAccess / endGetAccess, both long-running).</summary>
internal sealed class ArmDiskGateway(ArmRestClient rest) : IDiskGateway
{
    private const long BytesPerGibibyte = 1L << 30;

    public async Task<long?> GetSizeBytesAsync(string diskId, CancellationToken cancellationToken)
    {
        var disk = await rest.GetAsync(diskId, ApiVersions.Disks, cancellationToken).ConfigureAwait(false);
        var properties = disk?["properties"];
        if (properties?["diskSizeBytes"] is JsonValue bytes && bytes.TryGetValue<long>(out var size))
        {
            return size;
        }

        return properties?["diskSizeGB"] is JsonValue gigabytes && gigabytes.TryGetValue<long>(out var sizeGb)
            ? sizeGb * BytesPerGibibyte
            : null;
    }

    public async Task<Uri> GrantReadAccessAsync(string diskId, TimeSpan duration, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["access"] = "Read",
            ["durationInSeconds"] = (int)Math.Ceiling(duration.TotalSeconds),
        };
        var result = await rest.PostAndWaitAsync(diskId + "/beginGetAccess", ApiVersions.Disks, body, cancellationToken).ConfigureAwait(false);
        var sas = result?["accessSAS"]?.GetValue<string>() ?? result?["properties"]?["output"]?["accessSAS"]?.GetValue<string>();
        if (string.IsNullOrEmpty(sas))
        {
            throw new AzureRequestException(0, "NoAccessSas", $"Granting read access to disk '{diskId}' returned no access URL.", "POST", diskId);
        }

        return new Uri(sas);
    }

    public async Task RevokeAccessAsync(string diskId, CancellationToken cancellationToken) =>
        _ = await rest.PostAndWaitAsync(diskId + "/endGetAccess", ApiVersions.Disks, body: null, cancellationToken).ConfigureAwait(false);
}

/// <summary>Storage accounts through Microsoft.Storage: the blob endpoint and a key (listKeys).</summary>
internal sealed class ArmStorageAccountGateway(ArmRestClient rest) : IStorageAccountGateway
{
    public async Task<StorageAccountInfo> GetAsync(string storageAccountId, CancellationToken cancellationToken)
    {
        var account = await rest.GetAsync(storageAccountId, ApiVersions.Storage, cancellationToken).ConfigureAwait(false);
        var blob = account?["properties"]?["primaryEndpoints"]?["blob"]?.GetValue<string>();
        if (string.IsNullOrEmpty(blob))
        {
            throw new AzureRequestException(0, "NoBlobEndpoint", $"Storage account '{storageAccountId}' has no blob endpoint.", "GET", storageAccountId);
        }

        return new StorageAccountInfo(storageAccountId, account?["name"]?.GetValue<string>() ?? string.Empty, new Uri(blob));
    }

    public async Task<string> GetKeyAsync(string storageAccountId, CancellationToken cancellationToken)
    {
        var keys = await rest.PostAndWaitAsync(storageAccountId + "/listKeys", ApiVersions.Storage, body: null, cancellationToken).ConfigureAwait(false);
        var key = (keys?["keys"] as JsonArray)?.FirstOrDefault()?["value"]?.GetValue<string>();
        return string.IsNullOrEmpty(key)
            ? throw new AzureRequestException(0, "NoKeys", $"Storage account '{storageAccountId}' returned no keys.", "POST", storageAccountId)
            : key;
    }
}
