@{
    Synopsis    = 'Distributes saved images to every subscribed lab: copies each VHD into the lab and creates the custom image.'
    Description = @'
Publish-LabCustomImage takes plan items (from Get-LabDistributionPlan, by property name, or a plan read back from JSON) or the same parameters as Get-LabDistributionPlan to plan and publish in one call, as the original build task did (-ConfigurationLocation -SubscriptionId -DevTestLabName -MaxConcurrentJobs).

For each Copy item it copies the VHD, server side, into the target lab's own storage account (container imagefactory-staging; the service refuses a VHD anywhere else), creates the custom image from it with a direct REST call (no ARM template deployment, so no deployment names collide and no deployment history fills up), tagged ImagePath and ImageFactorySourceId, with sysPrep from the saved record (a Linux image is never sysprepped), waits for the long-running operation, and deletes the temporary VHD once nothing reads from it. When the factory lab is itself a target, its image is created straight from the store, and the store is never deleted.

Replica-assisted fan-out: a lab that has received a VHD serves it to further labs (same region first). A page blob serves at most 60 MiB/s, shared by every copy reading it; with replicas the number of sources doubles each round, so M labs take about ceil(log2(M+1)) copy rounds instead of M. -NoReplicaSource copies every lab from the store instead.

At most -MaxConcurrentJobs copies and image creations run at once, as asynchronous tasks in the PowerShell process. Failures are per item: a non-terminating error with the plan item as target, and the run goes on. A re-run after any failure or Ctrl+C creates only what is missing, never a duplicate, and reuses or removes temporary blobs left behind. Progress shows overall bytes and items; a result per item is written as it finishes, then a summary (published, skipped, failed, blocked, bytes, duration). Inside Azure Pipelines (TF_BUILD set), errors and warnings are also written as ##vso[task.logissue] lines.

-WhatIf changes nothing and, given plan items, makes no write request at all. With -ConfigurationLocation it still plans, and reading the factory store needs the storage account's key (listKeys), which Resource Manager counts as one write request.
'@
    Parameters  = @{
        ConfigurationLocation   = 'The configuration root (Labs.json and GoldenImages): plan and publish in one call.'
        SubscriptionId          = 'With -ConfigurationLocation: the subscription of the factory lab.'
        DevTestLabName          = 'With -ConfigurationLocation: the factory lab, whose store holds the saved VHDs. Alias: LabName.'
        ResourceGroupName       = 'With -ConfigurationLocation: the factory lab''s resource group (optional).'
        ShardIndex              = 'With -ConfigurationLocation: this job''s part of the target labs, from 0 to ShardCount - 1.'
        ShardCount              = 'With -ConfigurationLocation: into how many parts the target labs are split.'
        AllVhds                 = 'With -ConfigurationLocation: distribute every saved VHD of each ImagePath, not only the newest.'
        Action                  = 'Plan item (by property name): Copy, Skip or Blocked. Only Copy items change anything; the others are reported.'
        ImageName               = 'Plan item (by property name): the custom image''s name.'
        ImagePath               = 'Plan item (by property name): the golden image''s path relative to GoldenImages.'
        TargetSubscriptionId    = 'Plan item (by property name): the target lab''s subscription.'
        TargetLabName           = 'Plan item (by property name): the target lab.'
        SourceId                = 'Plan item (by property name): the saved VHD''s identity, tagged on the image as ImageFactorySourceId.'
        OsType                  = 'Plan item (by property name): Windows or Linux.'
        Specialized             = 'Plan item (by property name): the VHD is specialized; the image is created without sysPrep.'
        Description             = 'Plan item (by property name): the image description.'
        SourceVhdUri            = 'Plan item (by property name): the saved VHD in the factory store (no SAS).'
        SourceStorageAccountId  = 'Plan item (by property name): the resource ID of the factory store''s storage account.'
        SourceLocation          = 'Plan item (by property name): the factory lab''s region.'
        TargetResourceGroupName = 'Plan item (by property name): the target lab''s resource group.'
        TargetLabId             = 'Plan item (by property name): the target lab''s resource ID.'
        TargetLocation          = 'Plan item (by property name): the target lab''s region.'
        TargetStorageAccountId  = 'Plan item (by property name): the resource ID of the target lab''s own storage account.'
        Reason                  = 'Plan item (by property name): why an item is skipped or blocked.'
        MaxConcurrentJobs       = 'How many copies and image creations run at the same time, from 1 to 64 (default 8). They are asynchronous tasks inside the PowerShell process, not background jobs.'
        NoReplicaSource         = 'Copy every lab from the factory store only; no lab serves the VHD to another. Slower when many labs need the same image.'
    }
    Inputs      = @{
        'ImageFactory.Engine.Distribution.DistributionPlanItem' = 'Plan items from Get-LabDistributionPlan, or objects with the same properties (a plan read back with ConvertFrom-Json).'
    }
    Outputs     = @{
        'ImageFactory.Engine.Distribution.DistributionResult'  = 'One per plan item: ImageName, ImagePath, TargetLabName, TargetSubscriptionId, Status (Published, Skipped, Blocked, Failed), Reason, CopiedFrom, BytesCopied, Duration, CustomImageId.'
        'ImageFactory.Engine.Distribution.DistributionSummary' = 'Last: Published, Skipped, Failed, Blocked, BytesCopied, Duration.'
    }
    Examples    = @(
        @{
            Code    = 'Publish-LabCustomImage -ConfigurationLocation $(Build.SourcesDirectory)/Configuration -SubscriptionId $(SubscriptionId) -DevTestLabName $(DevTestLabName) -MaxConcurrentJobs 20'
            Remarks = 'The build task of the original image factory, unchanged: plans and distributes every new image to every subscribed lab.'
        }
        @{
            Code    = 'Get-Content plan.json | ConvertFrom-Json | Publish-LabCustomImage -MaxConcurrentJobs 10'
            Remarks = 'Publishes a plan saved by an earlier job.'
        }
        @{
            Code    = 'Get-LabDistributionPlan -ConfigurationLocation ./Configuration -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab | Publish-LabCustomImage -WhatIf'
            Remarks = 'Shows which images would be copied to which labs, without any write request.'
        }
    )
    Notes       = 'Needs Contributor on the target labs (storage keys, custom images) and read access to the factory store. Replaces DistributeImages.ps1 of the DevTest Labs image factory sample.'
    Links       = @('Get-LabDistributionPlan', 'Save-LabVhd')
}
