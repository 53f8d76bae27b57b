using System.Management.Automation;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Execution;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Distributes images: for each Copy item of a plan (from the pipeline, from a saved plan, or planned here from the
/// configuration) copies the VHD into the target lab's storage account, creates the custom image, then removes the
/// temporary VHD. Replaces DistributeImages.ps1 and takes the same arguments.
/// </summary>
[Cmdlet(VerbsData.Publish, "LabCustomImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ConfigurationSet)]
[OutputType("ImageFactory.Engine.Distribution.DistributionResult", "ImageFactory.Engine.Distribution.DistributionSummary")]
public sealed class PublishLabCustomImageCommand : AzureConnectionCmdlet
{
    private const string ConfigurationSet = "Configuration";
    private const string PlanItemSet = "PlanItem";

    private readonly List<DistributionPlanItem> planItems = [];

    /// <summary>The configuration root (Labs.json and GoldenImages): plan and publish in one call.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigurationSet)]
    [ValidateNotNullOrEmpty]
    public string ConfigurationLocation { get; set; } = string.Empty;

    /// <summary>The factory lab's subscription.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigurationSet)]
    [ValidateNotNullOrEmpty]
    public string SubscriptionId { get; set; } = string.Empty;

    /// <summary>The factory lab.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigurationSet)]
    [Alias("LabName")]
    [ValidateNotNullOrEmpty]
    public string DevTestLabName { get; set; } = string.Empty;

    /// <summary>The factory lab's resource group.</summary>
    [Parameter(ParameterSetName = ConfigurationSet)]
    [ValidateNotNullOrEmpty]
    public string? ResourceGroupName { get; set; }

    [Parameter(ParameterSetName = ConfigurationSet)]
    [ValidateRange(0, 999)]
    public int? ShardIndex { get; set; }

    [Parameter(ParameterSetName = ConfigurationSet)]
    [ValidateRange(1, 1000)]
    public int? ShardCount { get; set; }

    [Parameter(ParameterSetName = ConfigurationSet)]
    public SwitchParameter AllVhds { get; set; }

    // ---- A plan item, bound by property name (Get-LabDistributionPlan output, or a plan read back from JSON) ----

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public string Action { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public string ImageName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public string ImagePath { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public string TargetSubscriptionId { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public string TargetLabName { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? SourceId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? OsType { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    public SwitchParameter Specialized { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? Description { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowNull]
    public Uri? SourceVhdUri { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? SourceStorageAccountId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? SourceLocation { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? TargetResourceGroupName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? TargetLabId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? TargetLocation { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? TargetStorageAccountId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PlanItemSet)]
    [AllowEmptyString]
    [AllowNull]
    public string? Reason { get; set; }

    // ---- Both sets ----

    /// <summary>How many copies and image creations run at once (1-64).</summary>
    [Parameter]
    [ValidateRange(BoundedParallel.MinimumConcurrency, BoundedParallel.MaximumConcurrency)]
    public int MaxConcurrentJobs { get; set; } = 8;

    /// <summary>Copy every lab from the factory store only: no lab serves the VHD to another.</summary>
    [Parameter]
    public SwitchParameter NoReplicaSource { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != PlanItemSet)
        {
            return;
        }

        if (!Enum.TryParse<DistributionAction>(Action, ignoreCase: true, out var action) || !Enum.IsDefined(action))
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"Plan item '{ImageName}' -> '{TargetLabName}' has Action '{Action}'; expected Copy, Skip or Blocked."),
                "PlanItemInvalid", ErrorCategory.InvalidData, ImageName));
            return;
        }

        if (action == DistributionAction.Copy
            && (string.IsNullOrEmpty(SourceId) || SourceVhdUri is null || string.IsNullOrEmpty(SourceStorageAccountId)
                || string.IsNullOrEmpty(TargetLabId) || string.IsNullOrEmpty(TargetStorageAccountId) || string.IsNullOrEmpty(OsType)))
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"Plan item '{ImageName}' -> '{TargetLabName}' is a Copy but lacks SourceId, SourceVhdUri, SourceStorageAccountId, TargetLabId, TargetStorageAccountId or OsType; plan again with Get-LabDistributionPlan."),
                "PlanItemInvalid", ErrorCategory.InvalidData, ImageName));
            return;
        }

        planItems.Add(new DistributionPlanItem
        {
            Action = action,
            Reason = Reason,
            ImageName = ImageName,
            ImagePath = ImagePath,
            SourceId = SourceId ?? string.Empty,
            OsType = OsType ?? string.Empty,
            Specialized = Specialized.IsPresent,
            Description = Description,
            SourceVhdUri = SourceVhdUri ?? new Uri("about:blank"),
            SourceStorageAccountId = SourceStorageAccountId ?? string.Empty,
            SourceLocation = SourceLocation ?? string.Empty,
            TargetSubscriptionId = TargetSubscriptionId,
            TargetLabName = TargetLabName,
            TargetResourceGroupName = TargetResourceGroupName,
            TargetLabId = TargetLabId,
            TargetLocation = TargetLocation,
            TargetStorageAccountId = TargetStorageAccountId,
        });
    }

    protected override void EndProcessing()
    {
        var azure = GetSession();
        IReadOnlyList<DistributionPlanItem> plan = planItems;
        if (ParameterSetName == ConfigurationSet)
        {
            var options = DistributionCommands.ShardOptions(this, ShardIndex, ShardCount, AllVhds.IsPresent);
            var configuration = LoadConfiguration(ConfigurationLocation);
            var factoryLab = FindLab(azure, SubscriptionId, DevTestLabName, ResourceGroupName);
            var planner = new DistributionPlanner(azure.Labs, azure.Blobs);
            RunEngine(async (sink, token) => plan = await planner.PlanAsync(configuration, factoryLab, options, sink, token).ConfigureAwait(false));
        }

        // ShouldProcess on the pipeline thread before any copy starts: -WhatIf writes nothing.
        var approved = new List<DistributionPlanItem>();
        foreach (var item in plan)
        {
            if (item.Action != DistributionAction.Copy
                || ShouldProcess(
                    $"lab '{item.TargetLabName}' (subscription {item.TargetSubscriptionId})",
                    $"Copy '{item.ImageName}' ({item.ImagePath}) and create the custom image"))
            {
                approved.Add(item);
            }
        }

        if (approved.Count == 0 || (!approved.Any(item => item.Action == DistributionAction.Copy) && MyInvocation.BoundParameters.ContainsKey("WhatIf")))
        {
            foreach (var item in approved)
            {
                WriteVerbose($"{item.Action} '{item.ImageName}' -> '{item.TargetLabName}': {item.Reason}");
            }

            return;
        }

        var publisher = new ImagePublisher(azure.Labs, azure.Blobs);
        var publishOptions = new PublishOptions { MaxConcurrency = MaxConcurrentJobs, UseReplicas = !NoReplicaSource.IsPresent };
        DistributionSummary? summary = null;
        RunEngine(async (sink, token) => summary = await publisher.PublishAsync(approved, publishOptions, sink, token).ConfigureAwait(false));
        if (summary is not null)
        {
            WriteObject(summary);
        }
    }
}
