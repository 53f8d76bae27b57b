using System.Collections.Concurrent;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Distribution;

public sealed class DistributionPlanOptions
{
    /// <summary>Distribute every saved VHD, not only the newest per ImagePath.</summary>
    public bool AllVhds { get; init; }

    public int? ShardIndex { get; init; }

    public int? ShardCount { get; init; }
}

/// <summary>What is known about one target lab when planning: the lab and its images, or why it is blocked.</summary>
public sealed record TargetLabState(LabInfo? Lab, IReadOnlyList<CustomImageInfo> Images, string? BlockedReason);

/// <summary>
/// Plans distribution with as few Resource Manager calls as possible: labs are listed once per subscription and
/// custom images once per lab; no per-pair look-ups (the original spent about five calls per lab and image).
/// </summary>
public sealed class DistributionPlanner(ILabGateway labs, IBlobGatewayFactory blobs)
{
    private const int LookupConcurrency = 8;

    public async Task<IReadOnlyList<DistributionPlanItem>> PlanAsync(
        FactoryConfiguration configuration,
        LabInfo factoryLab,
        DistributionPlanOptions options,
        IEngineEventSink sink,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factoryLab);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);

        var store = await VhdStore.OpenAsync(blobs, factoryLab, cancellationToken).ConfigureAwait(false);
        var saved = await store.ListAsync(message => sink.Post(new WarningEvent(message)), cancellationToken).ConfigureAwait(false);
        var targets = configuration.Labs
            .Where(lab => lab.GoldenImages.Count > 0 && InShard(lab, options))
            .ToList();

        var states = new ConcurrentDictionary<LabTarget, TargetLabState>();
        var bySubscription = targets.GroupBy(target => target.SubscriptionId, StringComparer.OrdinalIgnoreCase).ToList();
        await BoundedParallel.ForEachAsync(bySubscription, LookupConcurrency, async (group, token) =>
        {
            IReadOnlyList<LabInfo> listed;
            try
            {
                listed = await labs.ListLabsAsync(group.Key, token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is AzureRequestException or global::Azure.Identity.AuthenticationFailedException or HttpRequestException)
            {
                var reason = $"the labs of subscription '{group.Key}' cannot be listed: {exception.Message}";
                foreach (var target in group)
                {
                    states[target] = new TargetLabState(null, [], reason);
                }

                return;
            }

            foreach (var target in group)
            {
                states[target] = Match(target, listed);
            }
        }, cancellationToken).ConfigureAwait(false);

        // A lab missing from the list may be one we may not see: with its resource group known, one GET tells
        // "no access" (403) from "not there" (404). Rare, so this costs nothing in the common case.
        var missing = states.Where(pair => pair.Value.Lab is null && pair.Key.ResourceGroup is not null && !pair.Value.BlockedReason!.Contains("cannot be listed", StringComparison.Ordinal)).ToList();
        await BoundedParallel.ForEachAsync(missing, LookupConcurrency, async (pair, token) =>
        {
            try
            {
                var lab = await labs.GetLabAsync(pair.Key.SubscriptionId, pair.Key.ResourceGroup!, pair.Key.LabName, token).ConfigureAwait(false);
                if (lab is not null)
                {
                    states[pair.Key] = new TargetLabState(lab, [], null);
                }
            }
            catch (AzureRequestException exception) when (exception.IsAuthorizationFailure)
            {
                states[pair.Key] = pair.Value with { BlockedReason = $"no access to lab '{pair.Key.LabName}' in resource group '{pair.Key.ResourceGroup}' of subscription '{pair.Key.SubscriptionId}' ({exception.ErrorCode})" };
            }
            catch (Exception exception) when (exception is AzureRequestException or HttpRequestException)
            {
                // Any other failure blocks this lab alone, as a failed image listing does, instead of the whole plan.
                states[pair.Key] = pair.Value with { BlockedReason = $"lab '{pair.Key.LabName}' in resource group '{pair.Key.ResourceGroup}' of subscription '{pair.Key.SubscriptionId}' cannot be read: {exception.Message}" };
            }
        }, cancellationToken).ConfigureAwait(false);

        var found = states.Where(pair => pair.Value.Lab is not null).ToList();
        await BoundedParallel.ForEachAsync(found, LookupConcurrency, async (pair, token) =>
        {
            try
            {
                var images = await labs.ListCustomImagesAsync(pair.Value.Lab!, token).ConfigureAwait(false);
                states[pair.Key] = pair.Value with { Images = images };
            }
            catch (Exception exception) when (exception is AzureRequestException or HttpRequestException)
            {
                states[pair.Key] = pair.Value with { BlockedReason = $"the custom images of lab '{pair.Key.LabName}' cannot be listed: {exception.Message}" };
            }
        }, cancellationToken).ConfigureAwait(false);

        var storeAccount = factoryLab.ArtifactsStorageAccountId ?? factoryLab.DefaultStorageAccountId ?? string.Empty;
        return Build(targets, saved, target => states[target], storeAccount, factoryLab.Location, options.AllVhds);
    }

    internal static bool InShard(LabTarget lab, DistributionPlanOptions options) =>
        options.ShardCount is not { } count || Sharding.ShardOf(lab.SubscriptionId, lab.LabName, count) == (options.ShardIndex ?? 0);

    internal static TargetLabState Match(LabTarget target, IReadOnlyList<LabInfo> listed)
    {
        var matches = listed
            .Where(lab => string.Equals(lab.Name, target.LabName, StringComparison.OrdinalIgnoreCase)
                && (target.ResourceGroup is null || string.Equals(lab.ResourceGroup, target.ResourceGroup, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return matches.Count switch
        {
            1 => new TargetLabState(matches[0], [], null),
            0 => new TargetLabState(null, [], target.ResourceGroup is null
                ? $"lab '{target.LabName}' was not found in subscription '{target.SubscriptionId}'"
                : $"lab '{target.LabName}' was not found in resource group '{target.ResourceGroup}' of subscription '{target.SubscriptionId}'"),
            _ => new TargetLabState(null, [], $"lab name '{target.LabName}' is ambiguous in subscription '{target.SubscriptionId}' " +
                $"(resource groups {string.Join(", ", matches.Select(lab => lab.ResourceGroup))}); give its ResourceGroup in Labs.json"),
        };
    }

    /// <summary>The plan itself: pure, from what was read.</summary>
    internal static List<DistributionPlanItem> Build(
        IReadOnlyList<LabTarget> targets,
        IReadOnlyList<SavedVhd> saved,
        Func<LabTarget, TargetLabState> stateOf,
        string storeAccountId,
        string storeLocation,
        bool allVhds)
    {
        var byPath = saved
            .GroupBy(vhd => ImagePathMatcher.Normalize(vhd.ImagePath), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.OrderByDescending(vhd => vhd.Timestamp).ToList(), StringComparer.OrdinalIgnoreCase);
        var items = new List<DistributionPlanItem>();
        foreach (var target in targets)
        {
            var state = stateOf(target);
            foreach (var golden in target.GoldenImages)
            {
                if (!byPath.TryGetValue(ImagePathMatcher.Normalize(golden.ImagePath), out var vhds) || vhds.Count == 0)
                {
                    items.Add(Item(target, state, null, golden, DistributionAction.Blocked,
                        $"no VHD of '{golden.ImagePath}' is saved in the factory store (run Save-LabVhd first)", null, storeAccountId, storeLocation));
                    continue;
                }

                foreach (var vhd in allVhds ? vhds : vhds.Take(1))
                {
                    if (state.BlockedReason is not null)
                    {
                        items.Add(Item(target, state, vhd, golden, DistributionAction.Blocked, state.BlockedReason, null, storeAccountId, storeLocation));
                        continue;
                    }

                    var existing = state.Images.FirstOrDefault(image =>
                        !string.Equals(image.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase)
                        && (string.Equals(image.Name, vhd.ImageName, StringComparison.OrdinalIgnoreCase)
                            || (image.Tags.TryGetValue(ImageTags.SourceId, out var source) && string.Equals(source, vhd.SourceId, StringComparison.OrdinalIgnoreCase))));
                    items.Add(existing is null
                        ? Item(target, state, vhd, golden, DistributionAction.Copy, null, null, storeAccountId, storeLocation)
                        : Item(target, state, vhd, golden, DistributionAction.Skip, $"the lab already has it as '{existing.Name}'", existing.Name, storeAccountId, storeLocation));
                }
            }
        }

        return items;
    }

    private static DistributionPlanItem Item(
        LabTarget target, TargetLabState state, SavedVhd? vhd, GoldenImage golden, DistributionAction action, string? reason,
        string? existing, string storeAccountId, string storeLocation) => new()
        {
            Action = action,
            Reason = reason,
            ImageName = vhd?.ImageName ?? golden.ImageNameStem,
            ImagePath = vhd?.ImagePath ?? golden.ImagePath,
            SourceId = vhd?.SourceId ?? string.Empty,
            OsType = vhd?.OsType ?? golden.OsType.ToString(),
            Specialized = vhd?.Specialized ?? false,
            Description = vhd?.Description ?? golden.Description,
            SourceVhdUri = vhd?.VhdUri ?? new Uri("about:blank"),
            SourceStorageAccountId = storeAccountId,
            SourceLocation = storeLocation,
            TargetSubscriptionId = target.SubscriptionId,
            TargetLabName = state.Lab?.Name ?? target.LabName,
            TargetResourceGroupName = state.Lab?.ResourceGroup ?? target.ResourceGroup,
            TargetLabId = state.Lab?.Id,
            TargetLocation = state.Lab?.Location,
            TargetStorageAccountId = state.Lab?.DefaultStorageAccountId ?? state.Lab?.ArtifactsStorageAccountId,
            ExistingImageName = existing,
        };
}
