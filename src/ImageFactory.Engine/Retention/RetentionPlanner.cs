using System.Globalization;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Retention;

/// <summary>A saved VHD of the factory store with its readable record.</summary>
public sealed record StoredVhd(
    string ImageName,
    string ImagePath,
    DateTimeOffset Timestamp,
    string VhdBlobName,
    string RecordBlobName,
    Uri VhdUri,
    string SourceId);

/// <summary>
/// A store blob without its partner: a <c>.vhd</c> no record names (a save or a deletion that stopped half-way),
/// or a record whose <c>.vhd</c> is gone.
/// </summary>
public sealed record StoreOrphan(string BlobName, Uri Uri, DateTimeOffset? LastModified, bool IsRecord);

/// <summary>What the factory store holds.</summary>
public sealed record FactoryStoreSnapshot(LabInfo Lab, IReadOnlyList<StoredVhd> Vhds, IReadOnlyList<StoreOrphan> Orphans);

/// <summary>How a lab takes part in retention.</summary>
public enum LabRole
{
    /// <summary>The factory lab: every golden image is legitimately there.</summary>
    Factory,

    /// <summary>A lab of Labs.json: only the ImagePaths it subscribes to.</summary>
    Target,

    /// <summary>A lab dropped from Labs.json and named with -DroppedLab: every factory image goes.</summary>
    Dropped,
}

/// <summary>A lab's custom images, as read, with the ImagePaths it subscribes to (for a target lab).</summary>
public sealed record LabImageSnapshot(
    LabInfo Lab,
    LabRole Role,
    IReadOnlyCollection<string> SubscribedImagePaths,
    IReadOnlyList<CustomImageInfo> Images);

/// <summary>Everything the planner decides from. Built from reads only.</summary>
public sealed class RetentionInput
{
    /// <summary>The ImagePaths of every template under GoldenImages.</summary>
    public required IReadOnlyCollection<string> GoldenImagePaths { get; init; }

    /// <summary>The factory store, or null when it could not be read (it is then left alone).</summary>
    public FactoryStoreSnapshot? Store { get; init; }

    public IReadOnlyList<LabImageSnapshot> Labs { get; init; } = [];

    /// <summary>How many images to keep per ImagePath, in the store and in each lab (at least 1).</summary>
    public required int ImagesToSave { get; init; }

    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Orphan store blobs younger than this are left alone: they may belong to a save still running. A disk SAS lives
    /// at most 24 hours, so no copy can still be writing an older blob.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromHours(25);
}

public enum RetentionDecisionKind
{
    Keep,
    Delete,
}

/// <summary>One image and what to do with it. Each image appears once in a plan, with every reason that selected it.</summary>
public sealed class RetentionDecision
{
    public required RetentionLocation Location { get; init; }

    public required LabInfo Lab { get; init; }

    public required string Name { get; init; }

    public string? ImagePath { get; init; }

    public DateTimeOffset? Created { get; init; }

    /// <summary>The custom image's resource id, or the store blob's URL (no SAS).</summary>
    public required string Id { get; init; }

    public string? SourceId { get; init; }

    public required RetentionDecisionKind Kind { get; init; }

    public required RetentionReasons Reason { get; init; }

    public required string Details { get; init; }

    /// <summary>Store only: the record blob to delete first (null for an orphan VHD).</summary>
    public string? RecordBlobName { get; init; }

    /// <summary>Store only: the VHD blob to delete after its record (null for an orphan record).</summary>
    public string? VhdBlobName { get; init; }

    /// <summary>How the image is named in confirmation prompts and -WhatIf messages.</summary>
    public string Describe() => Location == RetentionLocation.FactoryStore
        ? $"Saved VHD '{Name}'{(ImagePath is null ? string.Empty : $" ({ImagePath})")} in the factory store of lab '{Lab.Name}'"
        : $"Custom image '{Name}' ({ImagePath}) in lab '{Lab.Name}'";

    public ImageRetentionResult ToResult(RetentionAction action, string? details = null) => new()
    {
        Location = Location,
        LabName = Lab.Name,
        SubscriptionId = Lab.SubscriptionId,
        Name = Name,
        ImagePath = ImagePath,
        Action = action,
        Reason = Reason,
        Details = details ?? Details,
        Created = Created,
        SourceId = SourceId,
        Id = Id,
    };

    public override string ToString() => $"{Kind} {Describe()}: {Reason}";
}

/// <summary>The decisions, in a stable order: the store first, then lab by lab, ImagePath by ImagePath, newest first.</summary>
public sealed class RetentionPlan(IReadOnlyList<RetentionDecision> decisions)
{
    public IReadOnlyList<RetentionDecision> Decisions { get; } = decisions;

    public IEnumerable<RetentionDecision> Deletions => Decisions.Where(decision => decision.Kind == RetentionDecisionKind.Delete);

    public IEnumerable<RetentionDecision> Kept => Decisions.Where(decision => decision.Kind == RetentionDecisionKind.Keep);
}

/// <summary>
/// Decides which saved VHDs and custom images to keep and which to delete. Pure: no I/O, no clock (the input says
/// what time it is), the same plan for the same input whatever its order.
/// </summary>
/// <remarks>
/// Only images the factory made are ever candidates: custom images with a non-empty <c>ImagePath</c> tag and the
/// store's records. In each location the newest <see cref="RetentionInput.ImagesToSave"/> of each ImagePath are
/// kept (images still being created are kept and not counted); older ones expire. Images of a template that no
/// longer exists go everywhere; in a target lab, images of an ImagePath the lab no longer subscribes to go; in a
/// dropped lab every factory image goes. A lab given twice (the factory lab also listed in Labs.json) is planned
/// once, with the factory's rules.
/// </remarks>
public static class RetentionPlanner
{
    private const RetentionReasons DeletionReasons =
        RetentionReasons.Expired | RetentionReasons.TemplateRemoved | RetentionReasons.NotSubscribed
        | RetentionReasons.LabDropped | RetentionReasons.Orphaned;

    public static RetentionPlan Plan(RetentionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.ImagesToSave, 1);
        var golden = new HashSet<string>(input.GoldenImagePaths, ImagePathComparer.Instance);
        var decisions = new List<RetentionDecision>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        if (input.Store is { } store)
        {
            PlanStore(store, golden, input, decisions, seen);
        }

        foreach (var lab in MergeLabs(input.Labs))
        {
            PlanLab(lab, golden, input.ImagesToSave, decisions, seen);
        }

        return new RetentionPlan(decisions);
    }

    /// <summary>A lab given more than once is planned once: as the factory if it is the factory, else with every subscription merged.</summary>
    internal static IEnumerable<LabImageSnapshot> MergeLabs(IEnumerable<LabImageSnapshot> labs)
    {
        var merged = new Dictionary<string, LabImageSnapshot>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var lab in labs)
        {
            if (!merged.TryGetValue(lab.Lab.Id, out var existing))
            {
                merged[lab.Lab.Id] = lab;
                order.Add(lab.Lab.Id);
                continue;
            }

            var role = (LabRole)Math.Min((int)existing.Role, (int)lab.Role);
            var subscribed = existing.SubscribedImagePaths.Concat(lab.SubscribedImagePaths).Distinct(ImagePathComparer.Instance).ToList();
            var images = existing.Images.Count >= lab.Images.Count ? existing.Images : lab.Images;
            merged[lab.Lab.Id] = existing with { Role = role, SubscribedImagePaths = subscribed, Images = images };
        }

        return order.Select(id => merged[id])
            .OrderBy(lab => lab.Role)
            .ThenBy(lab => lab.Lab.SubscriptionId, StringComparer.OrdinalIgnoreCase)
            .ThenBy(lab => lab.Lab.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(lab => lab.Lab.Id, StringComparer.OrdinalIgnoreCase);
    }

    private static void PlanStore(
        FactoryStoreSnapshot store, HashSet<string> golden, RetentionInput input, List<RetentionDecision> decisions, HashSet<string> seen)
    {
        var groups = store.Vhds
            .GroupBy(vhd => vhd.ImagePath, ImagePathComparer.Instance)
            .OrderBy(group => group.Key, ImagePathComparer.Instance);
        foreach (var group in groups)
        {
            var ranked = group
                .OrderByDescending(vhd => vhd.Timestamp)
                .ThenByDescending(vhd => vhd.ImageName, StringComparer.OrdinalIgnoreCase)
                .ThenBy(vhd => vhd.VhdBlobName, StringComparer.OrdinalIgnoreCase)
                .ToList();
            for (var index = 0; index < ranked.Count; index++)
            {
                var vhd = ranked[index];
                if (!seen.Add("store|" + vhd.VhdBlobName))
                {
                    continue;
                }

                var (reason, details) = Rank(index, ranked.Count, input.ImagesToSave, vhd.ImagePath);
                if (!golden.Contains(vhd.ImagePath))
                {
                    reason |= RetentionReasons.TemplateRemoved;
                    details.Add((RetentionReasons.TemplateRemoved, $"GoldenImages has no template '{vhd.ImagePath}' any more"));
                }

                var (kind, decided, text) = Decide(reason, details);
                decisions.Add(new RetentionDecision
                {
                    Location = RetentionLocation.FactoryStore,
                    Lab = store.Lab,
                    Name = vhd.ImageName,
                    ImagePath = vhd.ImagePath,
                    Created = vhd.Timestamp,
                    Id = vhd.VhdUri.AbsoluteUri,
                    SourceId = vhd.SourceId,
                    Kind = kind,
                    Reason = decided,
                    Details = text,
                    RecordBlobName = vhd.RecordBlobName,
                    VhdBlobName = vhd.VhdBlobName,
                });
            }
        }

        foreach (var orphan in store.Orphans.OrderBy(orphan => orphan.BlobName, StringComparer.OrdinalIgnoreCase))
        {
            var old = orphan.LastModified is { } modified && input.Now - modified >= input.OrphanGracePeriod;
            if (!old || !seen.Add("store|" + orphan.BlobName))
            {
                // A young orphan may be a save still running: it is not touched (nor reported as kept).
                continue;
            }

            var details = orphan.IsRecord
                ? $"record '{orphan.BlobName}' names a VHD that is not in the store"
                : $"VHD '{orphan.BlobName}' has no record (a save or a deletion stopped half-way)";
            decisions.Add(new RetentionDecision
            {
                Location = RetentionLocation.FactoryStore,
                Lab = store.Lab,
                Name = orphan.BlobName,
                Created = orphan.LastModified,
                Id = orphan.Uri.AbsoluteUri,
                Kind = RetentionDecisionKind.Delete,
                Reason = RetentionReasons.Orphaned,
                Details = $"{details}, and is older than {input.OrphanGracePeriod.TotalHours:0} hours",
                RecordBlobName = orphan.IsRecord ? orphan.BlobName : null,
                VhdBlobName = orphan.IsRecord ? null : orphan.BlobName,
            });
        }
    }

    private static void PlanLab(LabImageSnapshot lab, HashSet<string> golden, int imagesToSave, List<RetentionDecision> decisions, HashSet<string> seen)
    {
        var subscribed = new HashSet<string>(lab.SubscribedImagePaths, ImagePathComparer.Instance);
        var candidates = lab.Images
            .Select(image => (Image: image, ImagePath: ImagePathOf(image)))
            .Where(candidate => candidate.ImagePath is not null && !IsState(candidate.Image, "Deleting"))
            .GroupBy(candidate => candidate.ImagePath!, ImagePathComparer.Instance)
            .OrderBy(group => group.Key, ImagePathComparer.Instance);
        foreach (var group in candidates)
        {
            var ordered = group
                .OrderByDescending(candidate => candidate.Image.CreationDate ?? DateTimeOffset.MinValue)
                .ThenByDescending(candidate => candidate.Image.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(candidate => candidate.Image.Id, StringComparer.Ordinal)
                .ToList();
            var inProgress = ordered.Where(candidate => IsState(candidate.Image, "Creating")).ToList();
            var ranked = ordered.Where(candidate => !IsState(candidate.Image, "Creating")).ToList();
            foreach (var (image, imagePath) in inProgress)
            {
                if (seen.Add("lab|" + image.Id))
                {
                    decisions.Add(ToDecision(lab, image, imagePath!, RetentionReasons.InProgress, [(RetentionReasons.InProgress, "it is still being created")]));
                }
            }

            for (var index = 0; index < ranked.Count; index++)
            {
                var (image, imagePath) = ranked[index];
                if (!seen.Add("lab|" + image.Id))
                {
                    continue;
                }

                var (reason, details) = Rank(index, ranked.Count, imagesToSave, imagePath!);
                if (!golden.Contains(imagePath!))
                {
                    reason |= RetentionReasons.TemplateRemoved;
                    details.Add((RetentionReasons.TemplateRemoved, $"GoldenImages has no template '{imagePath}' any more"));
                }
                else if (lab.Role == LabRole.Target && !subscribed.Contains(imagePath!))
                {
                    reason |= RetentionReasons.NotSubscribed;
                    details.Add((RetentionReasons.NotSubscribed, $"lab '{lab.Lab.Name}' no longer subscribes to '{imagePath}' in Labs.json"));
                }

                if (lab.Role == LabRole.Dropped)
                {
                    reason |= RetentionReasons.LabDropped;
                    details.Add((RetentionReasons.LabDropped, $"lab '{lab.Lab.Name}' was dropped from Labs.json and named with -DroppedLab"));
                }

                decisions.Add(ToDecision(lab, image, imagePath!, reason, details));
            }
        }
    }

    private static RetentionDecision ToDecision(
        LabImageSnapshot lab, CustomImageInfo image, string imagePath, RetentionReasons reason, List<(RetentionReasons Reason, string Text)> details)
    {
        var (kind, decided, text) = Decide(reason, details);
        return new RetentionDecision
        {
            Location = RetentionLocation.Lab,
            Lab = lab.Lab,
            Name = image.Name,
            ImagePath = imagePath,
            Created = image.CreationDate,
            Id = image.Id,
            SourceId = Tag(image, ImageTags.SourceId),
            Kind = kind,
            Reason = decided,
            Details = text,
        };
    }

    /// <summary>Keep or delete from the reasons: any deletion reason deletes, and a deleted image is not "newest".</summary>
    private static (RetentionDecisionKind Kind, RetentionReasons Reason, string Details) Decide(
        RetentionReasons reasons, List<(RetentionReasons Reason, string Text)> details)
    {
        var delete = (reasons & DeletionReasons) != 0;
        var reason = delete ? reasons & ~RetentionReasons.Newest : reasons;
        return (
            delete ? RetentionDecisionKind.Delete : RetentionDecisionKind.Keep,
            reason,
            string.Join("; ", details.Where(detail => (detail.Reason & reason) != 0).Select(detail => detail.Text)));
    }

    private static (RetentionReasons Reason, List<(RetentionReasons Reason, string Text)> Details) Rank(int index, int count, int imagesToSave, string imagePath)
    {
        var position = (index + 1).ToString(CultureInfo.InvariantCulture);
        return index < imagesToSave
            ? (RetentionReasons.Newest, [(RetentionReasons.Newest, $"newest {position} of {count} of '{imagePath}' (keeping {imagesToSave})")])
            : (RetentionReasons.Expired, [(RetentionReasons.Expired, $"number {position} of {count} of '{imagePath}' by age; only the newest {imagesToSave} are kept")]);
    }

    /// <summary>The ImagePath tag (forward slashes), or null when absent or empty: such an image is never touched.</summary>
    internal static string? ImagePathOf(CustomImageInfo image)
    {
        var value = Tag(image, ImageTags.ImagePath);
        return string.IsNullOrWhiteSpace(value) ? null : value.Replace('\\', '/');
    }

    private static string? Tag(CustomImageInfo image, string name) => GoldenVmService.TagValue(image.Tags, name);

    private static bool IsState(CustomImageInfo image, string state) =>
        string.Equals(image.ProvisioningState, state, StringComparison.OrdinalIgnoreCase);
}
