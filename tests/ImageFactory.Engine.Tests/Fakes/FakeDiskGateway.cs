using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>
/// Managed disks that record every grant (with its duration) and revocation, and know whether access is still
/// granted. The SAS it hands out is <c>https://md-fake.example.test/{disk name}/abcd?sig=...</c>.
/// </summary>
internal sealed class FakeDiskGateway : IDiskGateway
{
    public const long GiB = 1L << 30;

    private readonly object gate = new();
    private readonly List<(string DiskId, TimeSpan Duration)> grants = [];
    private readonly List<string> revocations = [];
    private readonly HashSet<string> granted = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Disk sizes by disk id; a disk not listed has <see cref="DefaultSizeBytes"/>.</summary>
    public Dictionary<string, long?> Sizes { get; } = new(StringComparer.OrdinalIgnoreCase);

    public long? DefaultSizeBytes { get; set; } = 32 * GiB;

    /// <summary>An exception to throw when access to a disk is asked for (by disk id), after recording the grant.</summary>
    public Func<string, Exception?>? GrantFailure { get; set; }

    /// <summary>An exception to throw when access is revoked (by disk id); the access then stays granted.</summary>
    public Func<string, Exception?>? RevokeFailure { get; set; }

    public IReadOnlyList<(string DiskId, TimeSpan Duration)> Grants
    {
        get
        {
            lock (gate)
            {
                return [.. grants];
            }
        }
    }

    public IReadOnlyList<string> Revocations
    {
        get
        {
            lock (gate)
            {
                return [.. revocations];
            }
        }
    }

    /// <summary>Disks whose read access was granted and not revoked.</summary>
    public IReadOnlyList<string> StillGranted
    {
        get
        {
            lock (gate)
            {
                return [.. granted];
            }
        }
    }

    public static string DiskId(string diskName) =>
        $"/subscriptions/sub-1/resourceGroups/lab-vms/providers/Microsoft.Compute/disks/{diskName}";

    public static string DiskNameOf(Uri sas)
    {
        ArgumentNullException.ThrowIfNull(sas);
        return sas.Segments[1].TrimEnd('/');
    }

    public Task<long?> GetSizeBytesAsync(string diskId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Sizes.TryGetValue(diskId, out var size) ? size : DefaultSizeBytes);
    }

    public Task<Uri> GrantReadAccessAsync(string diskId, TimeSpan duration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            grants.Add((diskId, duration));
            granted.Add(diskId);
        }

        if (GrantFailure?.Invoke(diskId) is { } failure)
        {
            throw failure;
        }

        var name = diskId[(diskId.LastIndexOf('/') + 1)..];
        return Task.FromResult(new Uri($"https://md-fake.example.test/{name}/abcd?sv=2018-03-28&sr=b&sig=fake-secret"));
    }

    public Task RevokeAccessAsync(string diskId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (RevokeFailure?.Invoke(diskId) is { } failure)
        {
            throw failure;
        }

        lock (gate)
        {
            revocations.Add(diskId);
            granted.Remove(diskId);
        }

        return Task.CompletedTask;
    }
}
