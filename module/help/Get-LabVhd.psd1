@{
    Synopsis    = 'Lists the VHDs saved in the factory store, newest first within each ImagePath.'
    Description = @'
Get-LabVhd reads the factory store (container imagefactoryvhds of the factory lab's artifacts storage account) and returns one object per saved VHD with its record: image name, ImagePath, OS type, timestamp, whether it is specialized, and the VHD's URL (never with a SAS). Records written by the original image factory scripts, with their culture-formatted timestamps, are read too. A record that cannot be read, or whose VHD is missing, is reported as a warning and left out.

Reading the store needs the storage account's key (listKeys), which Azure Resource Manager counts as a write request.
'@
    Parameters  = @{
        ImagePath = 'Only the VHDs of these ImagePaths (relative to GoldenImages); wildcards are allowed and \ is read as /.'
        Latest    = 'Only the newest VHD of each ImagePath.'
    }
    Inputs      = @{
        'System.String' = 'SubscriptionId, DevTestLabName and ResourceGroupName bind by property name.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Vhds.SavedVhd' = 'ImageName, ImagePath, OsType, Timestamp, Specialized, Description, VhdFileName, RecordFileName, VhdUri, SourceId, LabName.'
    }
    Examples    = @(
        @{
            Code    = 'Get-LabVhd -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -Latest'
            Remarks = 'Shows the newest saved VHD of each golden image.'
        }
        @{
            Code    = 'Get-LabVhd -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -ImagePath ''Win2016/*'' | Format-Table ImageName, Timestamp, Specialized'
            Remarks = 'Lists every saved VHD of the Win2016 folder.'
        }
    )
    Notes       = 'Reads only (the storage key request aside).'
    Links       = @('Save-LabVhd', 'Get-LabGoldenVm')
}
