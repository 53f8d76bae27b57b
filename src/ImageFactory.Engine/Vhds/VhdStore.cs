using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Vhds;

/// <summary>
/// The factory store: container <c>imagefactoryvhds</c> in the factory lab's artifacts storage account, holding
/// <c>{id}.vhd</c> page blobs and their <c>{id}.json</c> records.
/// </summary>
public sealed class VhdStore
{
    public const string ContainerName = "imagefactoryvhds";

    private VhdStore(LabInfo lab, IBlobContainerGateway container)
    {
        Lab = lab;
        Container = container;
    }

    public LabInfo Lab { get; }

    public IBlobContainerGateway Container { get; }

    public static async Task<VhdStore> OpenAsync(IBlobGatewayFactory blobs, LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(lab);
        var account = lab.ArtifactsStorageAccountId ?? lab.DefaultStorageAccountId
            ?? throw new InvalidOperationException($"Lab '{lab.Name}' has no artifacts storage account.");
        return new VhdStore(lab, await blobs.OpenContainerAsync(account, ContainerName, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Every readable record, newest first within each ImagePath (ImagePaths in order). A record that cannot be read
    /// is reported through <paramref name="unreadable"/> and left out; records whose VHD is missing are left out too.
    /// </summary>
    public async Task<IReadOnlyList<SavedVhd>> ListAsync(Action<string>? unreadable, CancellationToken cancellationToken)
    {
        var blobs = await Container.ListAsync(prefix: null, cancellationToken).ConfigureAwait(false);
        var vhds = blobs.Where(blob => blob.Name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase))
            .Select(blob => blob.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var saved = new List<SavedVhd>();
        foreach (var blob in blobs.Where(blob => blob.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
        {
            var text = await Container.DownloadTextAsync(blob.Name, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                continue;
            }

            VhdRecord record;
            try
            {
                record = VhdRecord.Parse(text, blob.Name);
            }
            catch (FormatException exception)
            {
                unreadable?.Invoke(exception.Message);
                continue;
            }

            if (!vhds.Contains(record.VhdFileName))
            {
                unreadable?.Invoke($"VHD record '{blob.Name}' names '{record.VhdFileName}', which is not in the store; it is ignored.");
                continue;
            }

            saved.Add(ToSavedVhd(record, blob.Name));
        }

        return saved
            .OrderBy(vhd => vhd.ImagePath, StringComparer.OrdinalIgnoreCase)
            .ThenByDescending(vhd => vhd.Timestamp)
            .ToList();
    }

    /// <summary>The records themselves (for re-run checks), unreadable ones skipped.</summary>
    internal async Task<IReadOnlyList<VhdRecord>> ListRecordsAsync(CancellationToken cancellationToken)
    {
        var records = new List<VhdRecord>();
        foreach (var blob in await Container.ListAsync(prefix: null, cancellationToken).ConfigureAwait(false))
        {
            if (!blob.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var text = await Container.DownloadTextAsync(blob.Name, cancellationToken).ConfigureAwait(false);
            try
            {
                if (text is not null)
                {
                    records.Add(VhdRecord.Parse(text, blob.Name));
                }
            }
            catch (FormatException)
            {
                // Unreadable records are reported by Get-LabVhd; here they only cannot block a name.
            }
        }

        return records;
    }

    private SavedVhd ToSavedVhd(VhdRecord record, string recordBlobName) => new()
    {
        ImageName = record.ImageName,
        ImagePath = record.ImagePath,
        OsType = record.OsType,
        Timestamp = record.Timestamp,
        Specialized = record.IsSpecialized,
        Description = record.Description,
        VhdFileName = record.VhdFileName,
        RecordFileName = recordBlobName,
        VhdUri = Container.GetBlobUri(record.VhdFileName),
        SourceId = record.SourceId,
        LabName = Lab.Name,
    };
}
