@{
    Synopsis    = 'Saves the deallocated golden VMs of the factory lab as generalized or specialized VHDs.'
    Description = @'
Save-LabVhd exports the OS disk of each golden VM of the factory lab (a lab VM tagged ImagePath whose provisioning succeeded) and copies it, server side, into the factory store: container imagefactoryvhds of the lab's artifacts storage account, as {id}.vhd. Once the copy has succeeded it writes {id}.json, a record in the original image factory's format (imageName, imagePath, description, osType, vhdFileName, timestamp) that distribution and retention read; timestamps are ISO 8601 UTC, and the original's culture-formatted ones are read too.

The disk's read access (beginGetAccess) lasts as long as a copy of its size needs, not ten hours, and is always revoked afterwards (endGetAccess): after success, after a failure, and after Ctrl+C. A failed or cancelled copy is aborted and its blob deleted, and no record is written, so a re-run converges: VMs already saved (their record names them and is newer than the VM) are reported as skipped and not saved twice.

A VM that is not deallocated is not copied, since its disk is in use: you get a warning and a result with the reason. VHDs are generalized (the VM was sysprepped or deprovisioned) unless -Specialized is given; a Linux VHD is never marked sysprepped. Image names follow the configuration's naming rule ({folder}_{file}-MMM-d-yyyy) and are unique against the store's records and within the run.

At most -MaxConcurrentJobs copies run at once, as asynchronous tasks in the PowerShell process. Progress shows the bytes copied per image and overall; results are written as each VM finishes. -WhatIf makes no write request at all.
'@
    Parameters  = @{
        Name        = 'The VMs to save. Get-LabGoldenVm output binds by its Name property; strings bind by value. Without it, every golden VM of the lab is considered.'
        Specialized = 'The VMs were not sysprepped or deprovisioned: record the VHDs as specialized, so that distribution creates custom images that are not sysprepped.'
        MaxConcurrentJobs = 'How many copies run at the same time, from 1 to 64 (default 4). Copies are asynchronous tasks inside the PowerShell process, not background jobs.'
    }
    Inputs      = @{
        'ImageFactory.Engine.Vhds.GoldenVm' = 'Output of Get-LabGoldenVm: Name, SubscriptionId, LabName and ResourceGroupName bind by property name.'
        'System.String'                     = 'VM names.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Vhds.VhdSaveResult' = 'One object per VM: VmName, ImagePath, ImageName, Status (Saved, Skipped or Failed), Reason, Specialized, OsType, VhdUri (without any SAS), RecordFileName, BytesCopied, Duration.'
    }
    Examples    = @(
        @{
            Code    = 'Save-LabVhd -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -MaxConcurrentJobs 8'
            Remarks = 'Saves every deallocated golden VM of the factory lab as a generalized VHD, eight copies at a time.'
        }
        @{
            Code    = 'Save-LabVhd -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -Specialized -WhatIf'
            Remarks = 'Shows which VMs would be saved as specialized VHDs, without changing anything.'
        }
        @{
            Code    = 'Get-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -Name win2016* | Save-LabVhd'
            Remarks = 'Saves only the golden VMs whose names start with win2016.'
        }
    )
    Notes       = 'Needs Contributor on the factory lab (disk export, storage keys). Replaces SnapImagesFromVMs.ps1 of the DevTest Labs image factory sample.'
    Links       = @('Get-LabGoldenVm', 'Get-LabVhd')
}
