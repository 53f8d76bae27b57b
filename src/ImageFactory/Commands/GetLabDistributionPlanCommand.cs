using System.Management.Automation;
using ImageFactory.Engine.Distribution;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Plans which images go to which labs: one item per (image, target lab) with Action Copy, Skip or Blocked and the
/// reason. Reads only: labs once per subscription, custom images once per lab.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LabDistributionPlan")]
[OutputType("ImageFactory.Engine.Distribution.DistributionPlanItem")]
public sealed class GetLabDistributionPlanCommand : AzureCmdlet
{
    /// <summary>The configuration root (Labs.json and GoldenImages).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ConfigurationLocation { get; set; } = string.Empty;

    /// <summary>This job's shard (0-based), with -ShardCount.</summary>
    [Parameter]
    [ValidateRange(0, 999)]
    public int? ShardIndex { get; set; }

    /// <summary>How many jobs share the labs.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int? ShardCount { get; set; }

    /// <summary>Plan every saved VHD, not only the newest of each ImagePath.</summary>
    [Parameter]
    public SwitchParameter AllVhds { get; set; }

    protected override void EndProcessing()
    {
        var options = DistributionCommands.ShardOptions(this, ShardIndex, ShardCount, AllVhds.IsPresent);
        var configuration = LoadConfiguration(ConfigurationLocation);
        var azure = GetSession();
        var factoryLab = FindLab(azure);
        var planner = new DistributionPlanner(azure.Labs, azure.Blobs);
        IReadOnlyList<DistributionPlanItem> plan = [];
        RunEngine(async (sink, token) => plan = await planner.PlanAsync(configuration, factoryLab, options, sink, token).ConfigureAwait(false));
        foreach (var item in plan)
        {
            WriteObject(item);
        }
    }
}

internal static class DistributionCommands
{
    internal static DistributionPlanOptions ShardOptions(PSCmdlet cmdlet, int? shardIndex, int? shardCount, bool allVhds)
    {
        if (shardIndex.HasValue != shardCount.HasValue || (shardIndex >= shardCount))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-ShardIndex ({shardIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) and -ShardCount ({shardCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) go together, with 0 <= ShardIndex < ShardCount."),
                "ShardInvalid",
                ErrorCategory.InvalidArgument,
                shardIndex));
        }

        return new DistributionPlanOptions { ShardIndex = shardIndex, ShardCount = shardCount, AllVhds = allVhds };
    }
}
