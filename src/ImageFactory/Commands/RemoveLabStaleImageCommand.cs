using System.Management.Automation;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Retention;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Retires old and orphaned factory images: keeps the newest -ImagesToSave per ImagePath in the factory store and in
/// every lab (the factory lab and each lab of Labs.json), removes images of templates that no longer exist and, in a
/// target lab, of ImagePaths it no longer subscribes to. Only images the factory made (tagged ImagePath) are ever
/// touched. Replaces RetireImages.ps1.
/// </summary>
/// <remarks>
/// Reads first (one lab list per subscription, one image list per lab, the store once), plans without I/O, asks
/// ShouldProcess for each deletion here on the pipeline thread, then deletes the approved ones in one engine call.
/// </remarks>
[Cmdlet(VerbsCommon.Remove, "LabStaleImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType("ImageFactory.Engine.Retention.ImageRetentionResult")]
public sealed class RemoveLabStaleImageCommand : AzureCmdlet
{
    private const string DroppedLabInvalid = "DroppedLabInvalid";

    /// <summary>The configuration root: the folder holding Labs.json and GoldenImages.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string ConfigurationLocation { get; set; } = string.Empty;

    /// <summary>How many images to keep per ImagePath, in the store and in each lab.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(1, 1000)]
    public int ImagesToSave { get; set; }

    /// <summary>Labs dropped from Labs.json whose factory images are to be removed too.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DroppedLab { get; set; }

    /// <summary>How many deletions (and reads) run at once (1-64).</summary>
    [Parameter]
    [ValidateRange(BoundedParallel.MinimumConcurrency, BoundedParallel.MaximumConcurrency)]
    public int MaxConcurrentJobs { get; set; } = 4;

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationLocation);
        var dropped = ParseDroppedLabs();
        var azure = GetSession();
        var surveyor = new RetentionSurveyor(azure.Labs, azure.Blobs);
        var factory = new LabReference(SubscriptionId, ResourceGroupName, DevTestLabName);
        var survey = RunTerminating(
            token => surveyor.SurveyAsync(configuration, factory, dropped, ImagesToSave, MaxConcurrentJobs, time: null, token),
            DevTestLabName);

        foreach (var message in survey.Verbose)
        {
            WriteVerbose(message);
        }

        foreach (var message in survey.Warnings)
        {
            WriteWarning(message);
        }

        foreach (var problem in survey.Problems)
        {
            WriteError(new ErrorRecord(problem.Exception, problem.ErrorId, ErrorCategories.ToPowerShell(problem.Category), problem.Target));
        }

        var plan = RetentionPlanner.Plan(survey.Input);
        WriteVerbose($"Plan: {plan.Kept.Count()} image(s) kept, {plan.Deletions.Count()} to delete, keeping the newest {ImagesToSave} per ImagePath.");

        // Every deletion is confirmed here, on the pipeline thread, before any of them starts: -WhatIf writes nothing.
        var approved = new List<RetentionDecision>();
        foreach (var decision in plan.Decisions)
        {
            if (decision.Kind == RetentionDecisionKind.Keep)
            {
                WriteObject(decision.ToResult(RetentionAction.Kept));
                continue;
            }

            if (ShouldProcess(decision.Describe(), $"Delete ({decision.Reason}: {decision.Details})"))
            {
                approved.Add(decision);
            }
            else
            {
                WriteObject(decision.ToResult(RetentionAction.WouldDelete));
            }
        }

        if (approved.Count == 0)
        {
            return;
        }

        var executor = new RetentionExecutor(azure.Labs);
        RunEngine((sink, token) => executor.DeleteAsync(approved, survey.Store?.Container, MaxConcurrentJobs, sink, token));
    }

    private List<LabReference> ParseDroppedLabs()
    {
        var references = new List<LabReference>();
        foreach (var text in DroppedLab ?? [])
        {
            try
            {
                references.Add(LabReference.Parse(text, SubscriptionId));
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                ThrowTerminatingError(new ErrorRecord(exception, DroppedLabInvalid, ErrorCategory.InvalidArgument, text));
            }
        }

        return references;
    }
}
