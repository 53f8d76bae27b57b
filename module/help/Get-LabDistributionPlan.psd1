@{
    Synopsis    = 'Plans which saved images go to which labs: one item per image and target lab, with Copy, Skip or Blocked and the reason.'
    Description = @'
Get-LabDistributionPlan reads the configuration (Labs.json and GoldenImages, with the same loader and checks as Get-LabFactoryConfiguration), the factory store's saved VHD records, every target lab of Labs.json and the custom images already in them, and returns one DistributionPlanItem per (image, target lab):

- Copy: the lab subscribes to the image and does not have it yet.
- Skip: the lab already has it, under the same name or made from the same saved VHD (the ImageFactorySourceId tag).
- Blocked: it cannot be distributed, and Reason says why: the lab does not exist, the principal has no access to it or to its subscription, or no VHD of that ImagePath has been saved.

By default only the newest saved VHD of each ImagePath is planned (-AllVhds plans every one). Labs in other regions are supported.

The plan costs few Resource Manager requests: labs are listed once per subscription and custom images once per lab, never per pair (the original scripts spent about five calls per lab and image, against a limit of 12,000 reads and 1,200 writes per hour per subscription). Reading the store needs its key (listKeys), which Resource Manager counts as one write.

-ShardIndex and -ShardCount split the target labs deterministically (by subscription and lab name) so that the jobs of an Azure Pipelines matrix each take a disjoint part. A plan can be saved with ConvertTo-Json and read back with ConvertFrom-Json; its items bind to Publish-LabCustomImage by property name.
'@
    Parameters  = @{
        ConfigurationLocation = 'The configuration root: the folder that holds Labs.json and the GoldenImages folder.'
        DevTestLabName        = 'The factory lab, whose store (container imagefactoryvhds of its artifacts storage account) holds the saved VHDs. Alias: LabName.'
        SubscriptionId        = 'The subscription of the factory lab. Target labs are in the subscriptions Labs.json names.'
        ShardIndex            = 'This job''s part of the target labs, from 0 to ShardCount - 1. Use with -ShardCount.'
        ShardCount            = 'Into how many parts the target labs are split. Use with -ShardIndex.'
        AllVhds               = 'Plan every saved VHD of each ImagePath, not only the newest.'
    }
    Inputs      = @{
        'System.String' = 'SubscriptionId, DevTestLabName and ResourceGroupName bind by property name.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Distribution.DistributionPlanItem' = 'Action, Reason, ImageName, ImagePath, SourceId, OsType, Specialized, Description, SourceVhdUri (no SAS), SourceStorageAccountId, SourceLocation, TargetSubscriptionId, TargetLabName, TargetResourceGroupName, TargetLabId, TargetLocation, TargetStorageAccountId, ExistingImageName.'
    }
    Examples    = @(
        @{
            Code    = 'Get-LabDistributionPlan -ConfigurationLocation ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab | Format-Table Action, ImageName, TargetLabName, Reason'
            Remarks = 'Shows what a distribution would do, lab by lab.'
        }
        @{
            Code    = 'Get-LabDistributionPlan -ConfigurationLocation ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab | ConvertTo-Json -Depth 3 | Set-Content $(Build.ArtifactStagingDirectory)/plan.json'
            Remarks = 'Saves the plan as a pipeline artifact; later jobs read it back with ConvertFrom-Json and pipe it to Publish-LabCustomImage.'
        }
        @{
            Code    = 'Get-LabDistributionPlan -ConfigurationLocation ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab -ShardIndex $(System.JobPositionInPhase - 1) -ShardCount $(System.TotalJobsInPhase) | Publish-LabCustomImage'
            Remarks = 'In an Azure Pipelines matrix, each job plans and publishes its own disjoint share of the labs.'
        }
    )
    Notes       = 'Reads only, apart from the storage key request.'
    Links       = @('Publish-LabCustomImage', 'Get-LabVhd', 'Test-LabFactoryConfiguration')
}
