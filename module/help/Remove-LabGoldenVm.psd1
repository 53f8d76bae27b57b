@{
    Synopsis    = 'Deletes the golden VMs of the factory lab whose VHDs have been saved.'
    Description = @'
Remove-LabGoldenVm is the last step of a factory run: it deletes the VMs of the factory lab that the factory made (tagged ImagePath), in exactly the lab named (the lab is found by its exact name and its VMs are listed from its resource ID; the original matched lab names as substrings and could delete VMs of other labs).

- A VM tagged FactoryIgnore is kept (reported with Action Kept).
- A VM without an ImagePath tag is reported as a non-terminating error (GoldenVmUntagged) and never touched.
- A VM whose provisioning failed is deleted: nothing can be saved from it.
- A VM whose VHD is saved is deleted. Saved means that a record of the factory store names the VM and is newer than the VM's creation; a record written by the original scripts (which names no VM) counts when it has the VM's ImagePath and is newer than the VM.
- Any other VM is refused with a warning (Action Refused): its VHD has not been saved yet. -Force deletes it anyway.

The VMs and the store are read first; each deletion is then confirmed (ConfirmImpact is High: pass -Confirm:$false in unattended runs) and the approved ones run, at most -MaxConcurrentJobs at a time. -WhatIf makes no change at all. A deletion that fails is reported as a non-terminating error with the VM as target, and the others go on.
'@
    Parameters  = @{
        DevTestLabName    = 'The name of the factory lab, matched exactly (not as a substring). Alias: LabName.'
        Force             = 'Also delete golden VMs whose VHD has not been saved yet (no record newer than the VM names it). Does not skip the confirmation: use -Confirm:$false for that.'
        MaxConcurrentJobs = 'How many deletions run at the same time, from 1 to 64 (default 4). They run as asynchronous tasks inside the PowerShell process, not as background jobs.'
    }
    Inputs      = @{
        'System.String' = 'SubscriptionId, DevTestLabName and ResourceGroupName bind by property name.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Retention.GoldenVmRemovalResult' = 'One object per VM tagged ImagePath or FactoryIgnore: Name, ImagePath, LabName, Action (Deleted, WouldDelete, Kept, Refused or Failed), Reason (Saved, ProvisioningFailed, Forced, FactoryIgnore or NotSaved), Details, SavedAs (the image name of the saved VHD), ProvisioningState, CreatedDate and Id.'
    }
    Examples    = @(
        @{
            Code    = 'Remove-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -WhatIf'
            Remarks = 'Shows which golden VMs would be deleted, which are kept and which are refused because their VHD is not saved yet, without changing anything.'
        }
        @{
            Code    = 'Save-LabVhd -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab; Remove-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -Confirm:$false'
            Remarks = 'Saves the golden VMs, then deletes those whose VHD is now saved, in an unattended run; VMs that could not be saved stay, with a warning.'
        }
        @{
            Code    = 'Remove-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -Force -MaxConcurrentJobs 8'
            Remarks = 'Deletes every golden VM of the factory lab, saved or not (except those tagged FactoryIgnore), eight at a time, asking for confirmation of each.'
        }
    )
    Notes       = 'Needs Contributor on the factory lab. Replaces CleanUpFactory.ps1 of the DevTest Labs image factory sample.'
    Links       = @('Save-LabVhd', 'Get-LabGoldenVm', 'Remove-LabStaleImage')
}
