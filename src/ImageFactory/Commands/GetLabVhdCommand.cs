using System.Management.Automation;
using ImageFactory.Engine.Vhds;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>Lists the VHDs saved in the factory store, newest first within each ImagePath.</summary>
[Cmdlet(VerbsCommon.Get, "LabVhd")]
[OutputType("ImageFactory.Engine.Vhds.SavedVhd")]
public sealed class GetLabVhdCommand : AzureCmdlet
{
    /// <summary>Only VHDs of these ImagePaths (wildcards allowed, / or \).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ImagePath { get; set; }

    /// <summary>Only the newest VHD of each ImagePath.</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    protected override void ProcessRecord()
    {
        var azure = GetSession();
        var lab = FindLab(azure);
        var unreadable = new List<string>();
        var saved = RunTerminating(
            async token =>
            {
                var store = await VhdStore.OpenAsync(azure.Blobs, lab, token).ConfigureAwait(false);
                return await store.ListAsync(message => { lock (unreadable) { unreadable.Add(message); } }, token).ConfigureAwait(false);
            },
            lab.Id);
        foreach (var message in unreadable)
        {
            WriteWarning(message);
        }

        var patterns = ImagePath?.Select(path => WildcardPattern.Get(path.Replace('\\', '/'), WildcardOptions.IgnoreCase)).ToList();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vhd in saved)
        {
            if (patterns is not null && !patterns.Any(pattern => pattern.IsMatch(vhd.ImagePath)))
            {
                continue;
            }

            if (Latest.IsPresent && !seen.Add(vhd.ImagePath))
            {
                continue;
            }

            WriteObject(vhd);
        }
    }
}
