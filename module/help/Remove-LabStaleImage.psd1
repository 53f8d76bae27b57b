@{
    Synopsis    = 'Retires old factory images: keeps the newest n per ImagePath in the factory store and in every lab, and removes images of removed templates and unsubscribed ImagePaths.'
    Description = @'
Remove-LabStaleImage is the retention step of the image factory. In the factory store (container imagefactoryvhds of the factory lab) and among the custom images of the factory lab and of every lab of Labs.json, it keeps the newest -ImagesToSave images of each ImagePath and deletes the older ones. A saved VHD is deleted together with its record: the record first, so that a pair deleted half-way never looks like a valid saved image, then the .vhd.

Only images the factory made are ever candidates: custom images tagged ImagePath (the module also tags them ImageFactorySourceId, the saved VHD they came from) and the records of the factory store. Custom images without an ImagePath tag, or with an empty one, are never touched, whoever made them.

It also deletes images whose golden template no longer exists under GoldenImages (everywhere), and, in a lab of Labs.json, images of an ImagePath that lab no longer subscribes to. The factory lab, even when it is also listed in Labs.json, is processed once with the factory's rules: every golden image may be there. Labs that were dropped from Labs.json are cleaned only when named with -DroppedLab; every factory image there is deleted. Images still being created are kept and not counted. Store blobs left without their partner (a .vhd without record, a record without .vhd) are deleted once older than 25 hours, so a save that is still running is never disturbed. An image selected by several rules (expired and from a removed template, say) is deleted once, with every reason listed.

Everything is read first (one lab list per subscription, one image list per lab, the store once) and planned; each deletion is then confirmed (ConfirmImpact is High: pass -Confirm:$false in unattended runs) and the approved ones run, at most -MaxConcurrentJobs at a time. -WhatIf makes no change at all: no delete, no PUT, no PATCH (reading the store takes the account key through listKeys, a POST that changes nothing). A lab that cannot be found or read, or a deletion that fails, is reported as a non-terminating error and the rest of the run goes on. An invalid configuration or a factory lab that cannot be found stops the command.
'@
    Parameters  = @{
        ConfigurationLocation = 'The configuration root: the folder holding Labs.json and the GoldenImages folder. Relative paths and PowerShell drives are resolved against the current location; the folder must be on the file system. Alias: Path.'
        DevTestLabName        = 'The name of the factory lab: its custom images and its factory store (imagefactoryvhds) are retired too. Alias: LabName.'
        SubscriptionId        = 'The ID (a GUID) of the subscription that holds the factory lab; also the subscription of -DroppedLab entries that give only a lab name.'
        ImagesToSave          = 'How many images to keep per ImagePath, in the factory store and in each lab, from 1 to 1000. The newest are kept, by creation date (custom images) or record timestamp (saved VHDs).'
        DroppedLab            = 'Labs that were dropped from Labs.json and whose factory images (tagged ImagePath) are to be deleted. Each entry is a lab name (in -SubscriptionId), SubscriptionId/LabName, SubscriptionId/ResourceGroup/LabName, or the lab''s resource ID. A lab that is still in Labs.json, or is the factory lab, is refused with a non-terminating error and keeps its images.'
        MaxConcurrentJobs     = 'How many deletions (and reads) run at the same time, from 1 to 64 (default 4). They run as asynchronous tasks inside the PowerShell process, not as background jobs.'
    }
    Inputs      = @{
        'System.String' = 'SubscriptionId, DevTestLabName and ResourceGroupName bind by property name.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Retention.ImageRetentionResult' = 'One object per factory image considered: Location (FactoryStore or Lab), LabName, SubscriptionId, Name, ImagePath, Action (Kept, Deleted, WouldDelete or Failed), Reason (Newest, InProgress, or any of Expired, TemplateRemoved, NotSubscribed, LabDropped, Orphaned), Details, Created, SourceId and Id (the custom image''s resource ID or the VHD''s URL, without any SAS).'
    }
    Examples    = @(
        @{
            Code    = 'Remove-LabStaleImage -ConfigurationLocation ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -ImagesToSave 2 -WhatIf'
            Remarks = 'Shows which saved VHDs and custom images would be deleted, keeping the two newest of each ImagePath everywhere, without changing anything.'
        }
        @{
            Code    = 'Remove-LabStaleImage ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -ImagesToSave 2 -MaxConcurrentJobs 8 -Confirm:$false | Where-Object Action -ne Kept | Format-Table'
            Remarks = 'Retires the images in an unattended run (for example in the Azure PowerShell task of a pipeline), eight deletions at a time, and shows what was deleted or failed.'
        }
        @{
            Code    = 'Remove-LabStaleImage ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -ImagesToSave 1 -DroppedLab ''Old-Team-Lab'', ''b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4/rg-legacy/Legacy-Lab'' -Confirm:$false'
            Remarks = 'Also deletes every factory image from two labs that were removed from Labs.json: one in the factory subscription, one named with its subscription and resource group.'
        }
    )
    Notes       = 'Needs Contributor on the factory lab (store key, blob deletion) and on every lab whose images are deleted. Replaces RetireImages.ps1 of the DevTest Labs image factory sample, which grouped untagged images under a null ImagePath and pruned them.'
    Links       = @('Remove-LabGoldenVm', 'Get-LabVhd', 'Get-LabFactoryConfiguration')
}
