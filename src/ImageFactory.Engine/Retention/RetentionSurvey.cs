using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Retention;

/// <summary>
/// A lab named on the command line: <c>LabName</c> (in the default subscription), <c>{subscriptionId}/{labName}</c>,
/// <c>{subscriptionId}/{resourceGroup}/{labName}</c>, or the lab's resource id.
/// </summary>
public sealed record LabReference(string SubscriptionId, string? ResourceGroup, string LabName)
{
    public static LabReference Parse(string text, string defaultSubscriptionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            var subscription = ArmLabGateway.Segment(trimmed, "subscriptions");
            var group = ArmLabGateway.Segment(trimmed, "resourceGroups");
            var lab = ArmLabGateway.Segment(trimmed, "labs");
            if (subscription is null || group is null || lab is null)
            {
                throw new FormatException($"'{text}' is not the resource id of a DevTest Labs lab (/subscriptions/{{id}}/resourceGroups/{{group}}/providers/Microsoft.DevTestLab/labs/{{name}}).");
            }

            return new LabReference(subscription, group, lab);
        }

        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is 2 or 3 && !Guid.TryParse(parts[0], out _))
        {
            throw new FormatException($"'{text}' does not start with a subscription ID (a GUID): use LabName, SubscriptionId/LabName, SubscriptionId/ResourceGroup/LabName or the lab's resource id.");
        }

        return parts.Length switch
        {
            1 => new LabReference(defaultSubscriptionId, null, parts[0]),
            2 => new LabReference(parts[0], null, parts[1]),
            3 => new LabReference(parts[0], parts[1], parts[2]),
            _ => throw new FormatException($"'{text}' does not name a lab: use LabName, SubscriptionId/LabName, SubscriptionId/ResourceGroup/LabName or the lab's resource id."),
        };
    }

    public override string ToString() =>
        ResourceGroup is null ? $"{LabName} ({SubscriptionId})" : $"{LabName} ({SubscriptionId}/{ResourceGroup})";
}

/// <summary>
/// Finds labs by name with one list request per subscription, however many labs of that subscription are asked for.
/// A subscription that cannot be listed fails every lab asked of it, and only those.
/// </summary>
public sealed class LabDirectory(ILabGateway labs)
{
    private readonly Dictionary<string, Task<IReadOnlyList<LabInfo>>> lists = new(StringComparer.OrdinalIgnoreCase);
    private readonly object gate = new();

    public async Task<LabInfo> FindAsync(LabReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Task<IReadOnlyList<LabInfo>> list;
        lock (gate)
        {
            if (!lists.TryGetValue(reference.SubscriptionId, out list!))
            {
                list = labs.ListLabsAsync(reference.SubscriptionId, cancellationToken);
                lists[reference.SubscriptionId] = list;
            }
        }

        var matches = (await list.ConfigureAwait(false))
            .Where(lab => string.Equals(lab.Name, reference.LabName, StringComparison.OrdinalIgnoreCase)
                && (reference.ResourceGroup is null || string.Equals(lab.ResourceGroup, reference.ResourceGroup, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 when reference.ResourceGroup is not null => throw new LabNotFoundException(
                $"Lab '{reference.LabName}' was not found in resource group '{reference.ResourceGroup}' of subscription '{reference.SubscriptionId}'."),
            0 => throw new LabNotFoundException(
                $"Lab '{reference.LabName}' was not found among the DevTest Labs labs of subscription '{reference.SubscriptionId}' (all resource groups searched)."),
            _ => throw new LabNotFoundException(
                $"Lab name '{reference.LabName}' is ambiguous in subscription '{reference.SubscriptionId}': it exists in resource groups " +
                $"{string.Join(", ", matches.Select(lab => $"'{lab.ResourceGroup}'"))}. Give its resource group.")
            {
                IsAmbiguous = true,
            },
        };
    }
}

/// <summary>What the reads found: the planner's input, the store to delete from, and what could not be read.</summary>
public sealed class RetentionSurvey
{
    public required LabInfo FactoryLab { get; init; }

    public required RetentionInput Input { get; init; }

    /// <summary>The factory store (null when it could not be opened).</summary>
    public VhdStore? Store { get; init; }

    /// <summary>Labs not found or not readable, an unreadable store: one non-terminating error each.</summary>
    public IReadOnlyList<RetentionProblem> Problems { get; init; } = [];

    /// <summary>Unreadable records (left alone), labs planned once although given twice.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<string> Verbose { get; init; } = [];
}

/// <summary>
/// Reads what retention decides from, with reads only (the store's key comes from listKeys, which ARM counts as a
/// write but changes nothing): the factory store, and the custom images of the factory lab, of every lab of
/// Labs.json and of the dropped labs named on the command line.
/// </summary>
public sealed class RetentionSurveyor(ILabGateway labs, IBlobGatewayFactory blobs)
{
    public async Task<RetentionSurvey> SurveyAsync(
        FactoryConfiguration configuration,
        LabReference factory,
        IReadOnlyList<LabReference> droppedLabs,
        int imagesToSave,
        int maxConcurrency,
        TimeProvider? time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(droppedLabs);
        var directory = new LabDirectory(labs);
        var problems = new List<RetentionProblem>();
        var warnings = new List<string>();
        var verbose = new List<string>();

        // The factory lab must be found: without it there is nothing to decide (the caller terminates).
        var factoryLab = await directory.FindAsync(factory, cancellationToken).ConfigureAwait(false);

        var snapshots = new List<(LabInfo Lab, LabRole Role, IReadOnlyCollection<string> Subscribed)>
        {
            (factoryLab, LabRole.Factory, configuration.GoldenImages.Select(image => image.ImagePath).ToList()),
        };
        foreach (var target in configuration.Labs)
        {
            var lab = await TryFindAsync(directory, new LabReference(target.SubscriptionId, target.ResourceGroup, target.LabName), target, problems, cancellationToken).ConfigureAwait(false);
            if (lab is null)
            {
                continue;
            }

            if (string.Equals(lab.Id, factoryLab.Id, StringComparison.OrdinalIgnoreCase))
            {
                verbose.Add($"Lab '{lab.Name}' of Labs.json is the factory lab: its images are retired once, with the factory's rules (every golden image may be there).");
            }

            snapshots.Add((lab, LabRole.Target, target.GoldenImages.Select(image => image.ImagePath).ToList()));
        }

        var configured = snapshots.Select(snapshot => snapshot.Lab.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var dropped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reference in droppedLabs)
        {
            var lab = await TryFindAsync(directory, reference, reference, problems, cancellationToken).ConfigureAwait(false);
            if (lab is null || dropped.Contains(lab.Id))
            {
                // Not found (reported), or named twice (cleaned once).
                continue;
            }

            if (configured.Contains(lab.Id))
            {
                problems.Add(new RetentionProblem(
                    new InvalidOperationException(
                        $"-DroppedLab names lab '{lab.Name}', which is the factory lab or still in Labs.json: it is not cleaned as a dropped lab (its images follow the usual rules)."),
                    "DroppedLabStillConfigured",
                    FailureCategory.InvalidArgument,
                    reference));
                continue;
            }

            dropped.Add(lab.Id);
            snapshots.Add((lab, LabRole.Dropped, []));
        }

        // Reads run concurrently (at most maxConcurrency at a time); each failure is its own problem.
        var distinct = snapshots.GroupBy(snapshot => snapshot.Lab.Id, StringComparer.OrdinalIgnoreCase).Select(group => group.First().Lab).ToList();
        var images = new Dictionary<string, IReadOnlyList<CustomImageInfo>>(StringComparer.OrdinalIgnoreCase);
        VhdStore? store = null;
        FactoryStoreSnapshot? storeSnapshot = null;
        var jobs = distinct.Select(lab => (Func<CancellationToken, Task>)(async token =>
        {
            try
            {
                var list = await labs.ListCustomImagesAsync(lab, token).ConfigureAwait(false);
                lock (images)
                {
                    images[lab.Id] = list;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                var (errorId, category) = FailureClassifier.Classify(exception);
                lock (problems)
                {
                    problems.Add(new RetentionProblem(
                        new RetentionException($"Reading the custom images of lab '{lab.Name}' failed: {exception.Message} Its images are left alone.", exception),
                        errorId,
                        category,
                        lab));
                }
            }
        })).Append(async token =>
        {
            try
            {
                store = await VhdStore.OpenAsync(blobs, factoryLab, token).ConfigureAwait(false);
                storeSnapshot = await ReadStoreAsync(store, message => { lock (warnings) { warnings.Add(message); } }, token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                store = null;
                var (errorId, category) = FailureClassifier.Classify(exception);
                lock (problems)
                {
                    problems.Add(new RetentionProblem(
                        new RetentionException($"Reading the factory store of lab '{factoryLab.Name}' failed: {exception.Message} Its VHDs are left alone.", exception),
                        errorId,
                        category,
                        factoryLab));
                }
            }
        }).ToList();
        await BoundedParallel.ForEachAsync(jobs, maxConcurrency, (job, token) => job(token), cancellationToken).ConfigureAwait(false);

        var input = new RetentionInput
        {
            GoldenImagePaths = configuration.GoldenImages.Select(image => image.ImagePath).ToList(),
            Store = storeSnapshot,
            Labs = snapshots
                .Where(snapshot => images.ContainsKey(snapshot.Lab.Id))
                .Select(snapshot => new LabImageSnapshot(snapshot.Lab, snapshot.Role, snapshot.Subscribed, images[snapshot.Lab.Id]))
                .ToList(),
            ImagesToSave = imagesToSave,
            Now = (time ?? TimeProvider.System).GetUtcNow(),
        };
        return new RetentionSurvey
        {
            FactoryLab = factoryLab,
            Input = input,
            Store = storeSnapshot is null ? null : store,
            Problems = problems,
            Warnings = warnings,
            Verbose = verbose,
        };
    }

    /// <summary>
    /// The store's records and VHDs in one listing. A record that cannot be read is reported and left alone, and so
    /// is the VHD of the same name. Blobs without their partner are orphans.
    /// </summary>
    internal static async Task<FactoryStoreSnapshot> ReadStoreAsync(VhdStore store, Action<string> unreadable, CancellationToken cancellationToken)
    {
        var blobs = await store.Container.ListAsync(prefix: null, cancellationToken).ConfigureAwait(false);
        var vhdBlobs = blobs.Where(blob => blob.Name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(blob => blob.Name, StringComparer.OrdinalIgnoreCase);
        var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var saved = new List<StoredVhd>();
        var orphans = new List<StoreOrphan>();
        foreach (var blob in blobs.Where(blob => blob.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
        {
            // The VHD of the same name is never an orphan, whatever its record says.
            claimed.Add(Path.ChangeExtension(blob.Name, ".vhd"));
            var text = await store.Container.DownloadTextAsync(blob.Name, cancellationToken).ConfigureAwait(false);
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
                unreadable($"{exception.Message} The record and its VHD are left alone.");
                continue;
            }

            claimed.Add(record.VhdFileName);
            if (!vhdBlobs.ContainsKey(record.VhdFileName))
            {
                orphans.Add(new StoreOrphan(blob.Name, store.Container.GetBlobUri(blob.Name), blob.LastModified, IsRecord: true));
                continue;
            }

            saved.Add(new StoredVhd(
                record.ImageName, record.ImagePath, record.Timestamp, record.VhdFileName, blob.Name,
                store.Container.GetBlobUri(record.VhdFileName), record.SourceId));
        }

        foreach (var vhd in vhdBlobs.Values.Where(vhd => !claimed.Contains(vhd.Name)))
        {
            orphans.Add(new StoreOrphan(vhd.Name, store.Container.GetBlobUri(vhd.Name), vhd.LastModified, IsRecord: false));
        }

        return new FactoryStoreSnapshot(store.Lab, saved, orphans);
    }

    private static async Task<LabInfo?> TryFindAsync(
        LabDirectory directory, LabReference reference, object target, List<RetentionProblem> problems, CancellationToken cancellationToken)
    {
        try
        {
            return await directory.FindAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (errorId, category) = FailureClassifier.Classify(exception);
            problems.Add(new RetentionProblem(
                exception is LabNotFoundException
                    ? exception
                    : new RetentionException($"Finding lab '{reference.LabName}' in subscription '{reference.SubscriptionId}' failed: {exception.Message} Its images are left alone.", exception),
                errorId,
                category,
                target));
            return null;
        }
    }
}

/// <summary>A retention read or deletion that failed; the inner exception is Azure's.</summary>
public sealed class RetentionException : Exception
{
    public RetentionException()
    {
    }

    public RetentionException(string message)
        : base(message)
    {
    }

    public RetentionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
