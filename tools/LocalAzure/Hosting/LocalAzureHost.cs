using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAzure.Arm;
using LocalAzure.Arm.Handlers;
using LocalAzure.Blobs;
using LocalAzure.Common;
using LocalAzure.Model;
using LocalAzure.Storage;
using LocalAzure.World;
using Microsoft.AspNetCore.Builder;

namespace LocalAzure.Hosting;

/// <summary>
/// A running local Azure: the ARM front (token endpoint, ARM, admin API) on one HTTPS port, the blob service
/// (Azurite behind the blob front) on another, and the seeded world. Start with <see cref="StartAsync"/>, stop by
/// disposing (Azurite is killed).
/// </summary>
public sealed class LocalAzureHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BlobService _blobs;
    private readonly WorldInspector _inspector;
    private readonly string? _readyFile;
    private int _disposed;

    private LocalAzureHost(
        WebApplication app, BlobService blobs, ArmContext context, WorldInspector inspector, Uri armEndpoint,
        TlsMaterial tls, ReadyInfo ready, string? readyFile)
    {
        _app = app;
        _blobs = blobs;
        Context = context;
        _inspector = inspector;
        ArmEndpoint = armEndpoint;
        Tls = tls;
        Ready = ready;
        _readyFile = readyFile;
    }

    /// <summary>The ARM endpoint, e.g. https://127.0.0.1:PORT/ (use with ArmEnvironment and audience https://management.azure.com/).</summary>
    public Uri ArmEndpoint { get; }

    /// <summary>The token authority host (the same port): ClientSecretCredentialOptions.AuthorityHost.</summary>
    public Uri AuthorityHost => ArmEndpoint;

    /// <summary>The blob front's base URL; accounts are path-style below it.</summary>
    public Uri BlobEndpoint => _blobs.Endpoint;

    public TlsMaterial Tls { get; }

    public ReadyInfo Ready { get; }

    public string AdminKey => Context.AdminKey;

    public BlobService Blobs => _blobs;

    public IModelClock Clock => Context.Clock;

    public FaultInjector Faults => Context.Faults;

    public RequestLog Requests => Context.Log;

    internal ArmContext Context { get; }

    /// <summary>Starts everything; returns when the ARM front answers and the world's blobs are written.</summary>
    public static async Task<LocalAzureHost> StartAsync(LocalAzureOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        var log = options.Log ?? (_ => { });
        var world = options.World;
        var tls = options.Tls ?? TlsMaterial.EnsureCreated(Path.Combine(
            options.StateDirectory ?? throw new ArgumentException("StateDirectory or Tls is required.", nameof(options)), "tls"));

        var seeder = new WorldSeeder(world);
        var clock = new ModelClock(options.RealMillisecondsPerModelledMinute ?? world.RealMillisecondsPerModelledMinute);
        var faults = new FaultInjector(world.Seed, world.Faults.Select(f => f.ToRule()));
        var requestLog = new RequestLog();

        log($"starting Azurite and the blob front ({seeder.Accounts.Count} storage accounts)");
        var blobOptions = new BlobServiceOptions
        {
            Accounts = [.. seeder.Accounts.Select(a => new StorageAccountSeed(a.Name, a.Key))],
            Tls = tls,
            Clock = clock,
            Faults = faults,
            RequestLog = requestLog,
            PageBlobReadMiBPerSecond = world.Blob.PageBlobReadMiBPerSecond,
            AccountEgressMiBPerSecond = world.Blob.AccountEgressMiBPerSecond,
            Port = options.BlobPort ?? world.Blob.Port,
            NodeModulesDirectory = options.NodeModulesDirectory ?? NodeModulesLocator.Locate(),
        };
        var blobs = await BlobService.StartAsync(blobOptions, cancellationToken).ConfigureAwait(false);
        WebApplication? app = null;
        try
        {
            var backend = new BlobServiceBackend(blobs, clock);
            var context = new ArmContext
            {
                World = seeder.State,
                Clock = clock,
                Faults = faults,
                Log = requestLog,
                Tokens = new TokenService(),
                Throttle = new Throttling(clock, world.Arm.ReadsPerHour, world.Arm.WritesPerHour),
                Operations = new LongRunningOperations(clock),
                Blobs = backend,
                Durations = world.Durations,
                AdminKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
                PageSize = world.Arm.PageSize,
            };

            log("writing the world's blobs");
            var blobsWritten = seeder.WriteBlobsAsync(backend, cancellationToken);

            var router = new ArmRouter();
            var compute = new ComputeHandlers(context);
            new ResourcesHandlers(context).Register(router);
            new DevTestLabHandlers(context, compute).Register(router);
            compute.Register(router);
            new StorageHandlers(context).Register(router);
            var inspector = new WorldInspector(context);
            var front = new ArmFront(context, router, new AdminApi(context, inspector));

            var certificate = tls.LoadServerCertificate();
            (app, var port) = await LoopbackHttpsServer.StartAsync(
                "ARM front", options.ArmPort ?? world.Arm.Port, certificate, front.HandleAsync, unlimitedRequestBody: false,
                cancellationToken).ConfigureAwait(false);
            var armEndpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}/"));

            await blobsWritten.ConfigureAwait(false);
            var ready = ReadyInfo.Create(world, armEndpoint, blobs.Endpoint, tls, context.AdminKey, watch.Elapsed);
            string? readyFile = null;
            if (options.StateDirectory is { } stateDirectory)
            {
                Directory.CreateDirectory(stateDirectory);
                ready.WriteEnvironmentFile(Path.Combine(stateDirectory, "localazure.env"), world);
                readyFile = Path.Combine(stateDirectory, "ready.json");
                ready.Write(readyFile);
            }

            log(string.Create(CultureInfo.InvariantCulture, $"ready in {watch.Elapsed.TotalSeconds:0.00} s: ARM {armEndpoint}, blobs {blobs.Endpoint}"));
            return new LocalAzureHost(app, blobs, context, inspector, armEndpoint, tls, ready, readyFile);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            await blobs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The world as it is now (labs, VMs, images, disks, operations, copies, blobs): the admin API's /state.</summary>
    public Task<JsonObject> GetStateAsync(CancellationToken cancellationToken = default) => _inspector.SnapshotAsync(cancellationToken);

    /// <summary>ARM requests per subscription: reads, writes, throttled, failed.</summary>
    public JsonObject GetRequestSummary() => AdminApi.SummaryOf(Requests.Snapshot());

    /// <summary>Changes throttling limits and page size at run time; <paramref name="reset"/> refills every bucket.</summary>
    public void SetLimits(int? readsPerHour = null, int? writesPerHour = null, int? pageSize = null, bool reset = false)
    {
        Context.Throttle.Configure(readsPerHour, writesPerHour, reset);
        if (pageSize is int size)
        {
            Context.PageSize = size;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_readyFile is not null)
        {
            File.Delete(_readyFile);
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _blobs.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What ready.json holds: endpoints, identities (no secrets), the admin key and how to trust the TLS CA.</summary>
public sealed class ReadyInfo
{
    public required Uri ArmEndpoint { get; init; }

    public required Uri AuthorityHost { get; init; }

    public string ResourceManagerAudience { get; init; } = "https://management.azure.com/";

    public required Uri BlobEndpoint { get; init; }

    public required string AdminKey { get; init; }

    public string AdminKeyHeader { get; init; } = AdminApi.KeyHeader;

    public required string TlsDirectory { get; init; }

    public required string TrustBundle { get; init; }

    public required IReadOnlyList<ReadySubscription> Subscriptions { get; init; }

    public required IReadOnlyList<ReadyPrincipal> Principals { get; init; }

    public required int ProcessId { get; init; }

    public required double StartupSeconds { get; init; }

    public required double RealMillisecondsPerModelledMinute { get; init; }

    internal static ReadyInfo Create(WorldFile world, Uri arm, Uri blob, TlsMaterial tls, string adminKey, TimeSpan startup) => new()
    {
        ArmEndpoint = arm,
        AuthorityHost = arm,
        BlobEndpoint = blob,
        AdminKey = adminKey,
        TlsDirectory = tls.Directory,
        TrustBundle = tls.TrustBundlePath,
        Subscriptions = [.. world.Subscriptions.Select(s => new ReadySubscription(s.Id, s.DisplayName, s.TenantId))],
        Principals = [.. world.Principals.Select(p => new ReadyPrincipal(p.TenantId, p.ClientId, p.ObjectId, p.DisplayName))],
        ProcessId = Environment.ProcessId,
        StartupSeconds = Math.Round(startup.TotalSeconds, 3),
        RealMillisecondsPerModelledMinute = world.RealMillisecondsPerModelledMinute,
    };

    internal void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, WorldFile.SerializerOptions));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// localazure.env: KEY=value lines for the first principal (the demo principal; its secret is test data from the
    /// world file), the TLS trust variables and the endpoints. Readable by the owner only.
    /// </summary>
    internal void WriteEnvironmentFile(string path, WorldFile world)
    {
        var principal = world.Principals.Count > 0 ? world.Principals[0] : null;
        var subscription = principal is null
            ? (world.Subscriptions.Count > 0 ? world.Subscriptions[0] : null)
            : world.Subscriptions.FirstOrDefault(s => principal.RoleAssignments.Any(a => a.Scope.Contains(s.Id, StringComparison.OrdinalIgnoreCase)));
        var text = new StringBuilder()
            .AppendLine("# Written by LocalAzure. Start a NEW process with these variables (TLS trust is read at process start), e.g.")
            .AppendLine("#   env $(grep -v '^#' localazure.env | xargs) pwsh")
            .AppendLine(CultureInfo.InvariantCulture, $"SSL_CERT_FILE={TrustBundle}")
            .AppendLine(CultureInfo.InvariantCulture, $"SSL_CERT_DIR={TlsDirectory}")
            .AppendLine(CultureInfo.InvariantCulture, $"AZURE_AUTHORITY_HOST={AuthorityHost}")
            .AppendLine(CultureInfo.InvariantCulture, $"LOCALAZURE_ARM_ENDPOINT={ArmEndpoint}")
            // The ImageFactory module's custom-cloud setting (with AZURE_AUTHORITY_HOST): its cmdlets then need no
            // -ResourceManagerEndpoint/-AuthorityHost in that session.
            .AppendLine(CultureInfo.InvariantCulture, $"IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT={ArmEndpoint}")
            .AppendLine(CultureInfo.InvariantCulture, $"LOCALAZURE_BLOB_ENDPOINT={BlobEndpoint}")
            .AppendLine(CultureInfo.InvariantCulture, $"LOCALAZURE_ADMIN_KEY={AdminKey}");
        if (principal is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"AZURE_TENANT_ID={principal.TenantId}")
                .AppendLine(CultureInfo.InvariantCulture, $"AZURE_CLIENT_ID={principal.ClientId}")
                .AppendLine(CultureInfo.InvariantCulture, $"AZURE_CLIENT_SECRET={principal.ClientSecret}");
        }

        if (subscription is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"AZURE_SUBSCRIPTION_ID={subscription.Id}");
        }

        File.WriteAllText(path, text.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

public sealed record ReadySubscription(string Id, string? DisplayName, string TenantId);

public sealed record ReadyPrincipal(string TenantId, string ClientId, string? ObjectId, string? DisplayName);
