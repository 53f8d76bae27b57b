using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using LocalAzure.Common;
using Microsoft.AspNetCore.Builder;

namespace LocalAzure.Blobs;

/// <summary>
/// The blob side of the local Azure: Azurite (blob only) as a child process behind an HTTPS front on 127.0.0.1 that
/// clients talk to with path-style URLs (<c>https://127.0.0.1:{port}/{account}/{container}/{blob}</c>).
/// </summary>
public sealed class BlobService : IAsyncDisposable
{
    private const int PageSize = 512;
    private const int MaxPageWrite = 4 * 1024 * 1024;

    private readonly BlobServiceOptions options;
    private readonly AzuriteHost azurite;
    private readonly AzuriteClients clients;
    private readonly WebApplication app;
    private readonly BlobFront front;
    private readonly CopyModel model;
    private readonly SasRevocations revocations;
    private readonly ConcurrentDictionary<BlobAddress, long> modelledSizes;
    private readonly CancellationTokenSource stopping = new();
    private readonly X509Certificate2 certificate;
    private readonly Task settleLoop;
    private int disposed;

    private BlobService(
        BlobServiceOptions options,
        AzuriteHost azurite,
        AzuriteClients clients,
        WebApplication app,
        BlobFront front,
        CopyModel model,
        SasRevocations revocations,
        ConcurrentDictionary<BlobAddress, long> modelledSizes,
        X509Certificate2 certificate)
    {
        this.certificate = certificate;
        this.options = options;
        this.azurite = azurite;
        this.clients = clients;
        this.app = app;
        this.front = front;
        this.model = model;
        this.revocations = revocations;
        this.modelledSizes = modelledSizes;
        settleLoop = Task.Run(() => SettleLoopAsync(stopping.Token));
    }

    /// <summary>The front's port on 127.0.0.1.</summary>
    public int Port => front.FrontPort;

    /// <summary>The front's base URL, <c>https://127.0.0.1:{port}/</c>.</summary>
    public Uri Endpoint => new("https://" + front.FrontAuthority + "/");

    /// <summary>Azurite's own port (diagnostics only: clients must use the front).</summary>
    public int AzuritePort => azurite.Port;

    /// <summary>Real time from <see cref="StartAsync"/> until Azurite answered HTTPS.</summary>
    public TimeSpan AzuriteReadyAfter { get; private init; }

    /// <summary>Real time <see cref="StartAsync"/> took (Azurite and the front both ready).</summary>
    public TimeSpan StartDuration { get; private init; }

    /// <summary>Starts Azurite and the front; returns once both answer.</summary>
    public static async Task<BlobService> StartAsync(BlobServiceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Accounts.Count == 0)
        {
            throw new ArgumentException("At least one storage account is needed.", nameof(options));
        }

        foreach (var account in options.Accounts)
        {
            if (string.IsNullOrEmpty(account.Name) || account.Name.IndexOfAny([':', ';', '/']) >= 0)
            {
                throw new ArgumentException($"Invalid storage account name '{account.Name}'.", nameof(options));
            }
        }

        // Azurite (a node process, ~1 s) and the front's Kestrel start side by side.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var azuriteStart = AzuriteHost.StartAsync(
            options.NodeExecutable, options.NodeModulesDirectory, options.Tls, options.Accounts, options.StartTimeout,
            cancellationToken);
        var slot = new FrontSlot();
        X509Certificate2? certificate = null;
        WebApplication? app = null;
        AzuriteClients? clients = null;
        BlobFront? front = null;
        try
        {
            certificate = options.Tls.LoadServerCertificate();
            (app, var frontPort) = await LoopbackHttpsServer.StartAsync(
                "blob front", options.Port, certificate, slot.HandleAsync, unlimitedRequestBody: true, cancellationToken)
                .ConfigureAwait(false);

            var azurite = await azuriteStart.ConfigureAwait(false);
            clients = new AzuriteClients(azurite.BaseUri, options.Accounts, options.Tls.CaCertificatePath);
            await WaitUntilAnsweringAsync(clients.Http, azurite, options.StartTimeout, cancellationToken).ConfigureAwait(false);
            var azuriteReady = stopwatch.Elapsed;

            var model = new CopyModel(options.PageBlobReadMiBPerSecond, options.AccountEgressMiBPerSecond, options.Clock.UtcNow);
            var revocations = new SasRevocations();
            var sizes = new ConcurrentDictionary<BlobAddress, long>();
            front = new BlobFront(options.Clock, options.Faults, options.RequestLog, model, revocations, sizes, azurite, clients)
            {
                FailCopyWhenSourceSasExpires = options.FailCopyWhenSourceSasExpires,
                FrontPort = frontPort,
                FrontAuthority = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{frontPort}"),
            };
            slot.Front = front;
            return new BlobService(options, azurite, clients, app, front, model, revocations, sizes, certificate)
            {
                AzuriteReadyAfter = azuriteReady,
                StartDuration = stopwatch.Elapsed,
            };
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            front?.Dispose();
            clients?.Dispose();
            certificate?.Dispose();
            try
            {
                await (await azuriteStart.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                // Azurite's own start failure: the exception being rethrown below, or the same one.
            }

            throw;
        }
    }

    /// <summary>The account's blob endpoint on the front (what ARM reports as primaryEndpoints.blob).</summary>
    public Uri GetAccountEndpoint(string account)
    {
        _ = clients.Credential(account);
        return new Uri(Endpoint, Uri.EscapeDataString(account) + "/");
    }

    public string GetAccountKey(string account) =>
        options.Accounts.FirstOrDefault(seed => string.Equals(seed.Name, account, StringComparison.Ordinal))?.Base64Key
        ?? throw new ArgumentException($"Unknown storage account '{account}'.", nameof(account));

    /// <summary>
    /// Seeds a page blob: creates the container if needed and a real page blob of <paramref name="realSizeBytes"/>
    /// (a multiple of 512) whose first and last pages hold deterministic non-zero bytes; the model treats it as
    /// <paramref name="modelledSizeBytes"/> long.
    /// </summary>
    public async Task CreatePageBlobAsync(
        string account,
        string container,
        string blobName,
        long realSizeBytes,
        long modelledSizeBytes,
        IDictionary<string, string>? metadata,
        CancellationToken ct)
    {
        if (realSizeBytes < 0 || realSizeBytes % PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(realSizeBytes), "A page blob's size must be a non-negative multiple of 512.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(modelledSizeBytes);
        var address = new BlobAddress(account, container, blobName);
        var containerClient = clients.Service(account).GetBlobContainerClient(container);
        await containerClient.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        var pageBlob = containerClient.GetPageBlobClient(blobName);
        await pageBlob.CreateAsync(realSizeBytes, new PageBlobCreateOptions { Metadata = metadata }, ct).ConfigureAwait(false);

        // Head (up to 1 MiB) and tail (up to 64 KiB) with content; the rest stays sparse zeros.
        var head = Math.Min(realSizeBytes, 1024 * 1024);
        var tail = Math.Min(realSizeBytes - head, 64 * 1024);
        var seed = StableHash(address.Path);
        foreach (var (offset, length) in new[] { (0L, head), (realSizeBytes - tail, tail) })
        {
            for (var written = 0L; written < length; written += MaxPageWrite)
            {
                var chunk = (int)Math.Min(MaxPageWrite, length - written);
                var bytes = DeterministicBytes(seed, offset + written, chunk);
                using var stream = new MemoryStream(bytes, writable: false);
                await pageBlob.UploadPagesAsync(stream, offset + written, cancellationToken: ct).ConfigureAwait(false);
            }
        }

        modelledSizes[address] = modelledSizeBytes;
        model.Forget(address, options.Clock.UtcNow);
    }

    /// <summary>Seeds a block blob (e.g. a JSON record), creating the container if needed; modelled size = real size.</summary>
    public async Task CreateBlockBlobAsync(string account, string container, string blobName, BinaryData content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var address = new BlobAddress(account, container, blobName);
        var containerClient = clients.Service(account).GetBlobContainerClient(container);
        await containerClient.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        await containerClient.GetBlobClient(blobName).UploadAsync(content, overwrite: true, ct).ConfigureAwait(false);
        modelledSizes[address] = content.ToMemory().Length;
        model.Forget(address, options.Clock.UtcNow);
    }

    /// <summary>
    /// A read-only blob SAS on the front's URL. Its expiry is real time: now + the scaled real duration of
    /// <paramref name="modelledLifetime"/>, rounded up to the next whole second (SAS times have second precision);
    /// the copy model uses the exact modelled expiry.
    /// </summary>
    public Uri GetReadSasUri(string account, string container, string blobName, TimeSpan modelledLifetime) =>
        GetSasUri(account, container, blobName, BlobSasPermissions.Read, modelledLifetime);

    /// <summary>
    /// A blob SAS with <paramref name="permissions"/> on the front's URL, registered with the front so that
    /// <see cref="RevokeSas"/> revokes it exactly by issue order (see <see cref="GetReadSasUri"/> for the expiry).
    /// </summary>
    public Uri GetSasUri(
        string account, string container, string blobName, BlobSasPermissions permissions, TimeSpan modelledLifetime)
    {
        var real = options.Clock.ToReal(modelledLifetime);
        var expiry = DateTimeOffset.UtcNow + real;
        expiry = new DateTimeOffset(expiry.Ticks - (expiry.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
        var builder = new BlobSasBuilder(permissions, expiry)
        {
            BlobContainerName = container,
            BlobName = blobName,
            Resource = "b",
            Protocol = SasProtocol.Https,
        };
        var sas = builder.ToSasQueryParameters(clients.Credential(account));
        revocations.RecordIssued(sas.Signature, options.Clock.UtcNow + modelledLifetime);
        var blobUri = new BlobUriBuilder(GetAccountEndpoint(account)) { BlobContainerName = container, BlobName = blobName, Sas = sas };
        return blobUri.ToUri();
    }

    /// <summary>
    /// Revokes every SAS issued so far for the blob (a disk export's endGetAccess): SAS requests for it get 403
    /// AuthenticationFailed, pending copies reading it through such a SAS fail. Shared-key access and later grants work.
    /// </summary>
    public void RevokeSas(string account, string container, string blobName)
    {
        var address = new BlobAddress(account, container, blobName);
        revocations.Revoke(address);
        model.FailCopiesWithRevokedSource(
            address, signature => revocations.IsRevoked(address, signature, null), options.Clock.UtcNow);
    }

    /// <summary>Every asynchronous copy the front has seen, advanced to the modelled now.</summary>
    public IReadOnlyList<BlobCopySnapshot> GetCopies() => model.Snapshot(options.Clock.UtcNow);

    /// <summary>Blobs as stored (one container, or all of the account's), with real and modelled lengths and copy status.</summary>
    public async Task<IReadOnlyList<BlobItemSnapshot>> ListBlobsAsync(string account, string? container, CancellationToken ct)
    {
        await front.SettleAsync(ct).ConfigureAwait(false);
        var service = clients.Service(account);
        var containers = new List<string>();
        if (container is not null)
        {
            containers.Add(container);
        }
        else
        {
            await foreach (var item in service.GetBlobContainersAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                containers.Add(item.Name);
            }
        }

        var result = new List<BlobItemSnapshot>();
        var now = options.Clock.UtcNow;
        foreach (var name in containers)
        {
            await foreach (var blob in service.GetBlobContainerClient(name).GetBlobsAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                var address = new BlobAddress(account, name, blob.Name);
                var real = blob.Properties.ContentLength ?? 0;
                var copy = model.GetCurrent(address, now);
                result.Add(new BlobItemSnapshot(
                    account,
                    name,
                    blob.Name,
                    blob.Properties.BlobType?.ToString() ?? "Unknown",
                    real,
                    modelledSizes.TryGetValue(address, out var modelled) ? modelled : real,
                    copy?.Status,
                    copy?.Id));
            }
        }

        return result;
    }

    /// <summary>The modelled size the front tracks for a blob (seeded, copied, or uploaded through the front); null if unknown.</summary>
    public long? GetModelledSize(string account, string container, string blobName) =>
        modelledSizes.TryGetValue(new BlobAddress(account, container, blobName), out var size) ? size : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await settleLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
            front.Dispose();
            clients.Dispose();
            await azurite.DisposeAsync().ConfigureAwait(false);
            certificate.Dispose();
            stopping.Dispose();
        }
    }

    /// <summary>Azurite printed that it listens; make sure it answers HTTPS (any status) before the front opens.</summary>
    private static async Task WaitUntilAnsweringAsync(
        HttpClient http, AzuriteHost azurite, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(azurite.BaseUri, "devstoreaccount0?comp=list"));
                using var response = await http.SendAsync(probe, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Routes requests to the front once it exists (Kestrel starts before Azurite is ready).</summary>
    private sealed class FrontSlot
    {
        private volatile BlobFront? front;

        public BlobFront? Front
        {
            get => front;
            set => front = value;
        }

        public Task HandleAsync(Microsoft.AspNetCore.Http.HttpContext context) =>
            front is { } ready
                ? ready.HandleAsync(context)
                : StorageErrors.WriteAsync(context, 503, "ServerBusy", "The blob service is starting.");
    }

    /// <summary>Applies copy endings (empties failed destinations) even when nobody asks, every 100 ms.</summary>
    private async Task SettleLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await front.SettleAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is Azure.RequestFailedException or HttpRequestException)
            {
                // Retried on the next tick or the next request.
            }
        }
    }

    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var character in text)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return hash == 0 ? 1u : hash;
    }

    /// <summary>xorshift32 bytes depending only on the seed and the absolute offset (never all zero).</summary>
    internal static byte[] DeterministicBytes(uint seed, long offset, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i += 4)
        {
            var state = seed ^ (uint)((offset + i) / 4 * 2654435761L);
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state |= 0x01010101;
            for (var j = 0; j < 4 && i + j < length; j++)
            {
                bytes[i + j] = (byte)(state >> (8 * j));
            }
        }

        return bytes;
    }
}
