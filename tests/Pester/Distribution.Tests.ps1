# Get-LabDistributionPlan and Publish-LabCustomImage against the local Azure: five labs in two subscriptions, one in
# another region, one the principal cannot access, one already holding one of the images, and the factory lab itself.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/LocalAzure.ps1
    Import-Module $ModuleManifest -Force
    $script:Configuration = Join-Path $PSScriptRoot 'configs/distribution'
    $script:Factory = @{ SubscriptionId = '8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01'; DevTestLabName = 'ImageFactoryLab' }
    $script:Expected = @(
        'Copy Win2012R2_VS2015-Enterprise-with-Azure-SDK-Nov-20-2026 Contoso-Dev-Lab'
        'Copy Win2016_Datacenter-Nov-20-2026 Contoso-Dev-Lab'
        'Copy Win2016_SQLServer-2016-Express-Nov-20-2026 Contoso-Dev-Lab'
        'Copy Ubuntu_Server-22_04-Nov-20-2026 Contoso-Test-Lab'
        'Skip Win2016_Datacenter-Nov-20-2026 Contoso-Test-Lab'
        'Copy Ubuntu_Server-22_04-Nov-20-2026 Fabrikam-Training'
        'Copy Win2016_SQLServer-2016-Express-Nov-20-2026 Fabrikam-Training'
        'Blocked Ubuntu_Server-22_04-Nov-20-2026 Fabrikam-Secret'
        'Copy Ubuntu_Server-22_04-Nov-20-2026 ImageFactoryLab'
    )
    # What every lab must hold in the end: the factory's images, each exactly once, plus the images it had.
    $script:ExpectedImages = @{
        'Contoso-Dev-Lab'   = @('Win2012R2_VS2015-Enterprise-with-Azure-SDK-Nov-20-2026', 'Win2016_Datacenter-Nov-20-2026', 'Win2016_SQLServer-2016-Express-Nov-20-2026')
        'Contoso-Test-Lab'  = @('team-handmade-image', 'Ubuntu_Server-22_04-Nov-20-2026', 'Win2016_Datacenter-Nov-20-2026-copy')
        'Fabrikam-Training' = @('Ubuntu_Server-22_04-Nov-20-2026', 'Win2016_SQLServer-2016-Express-Nov-20-2026')
        'Fabrikam-Secret'   = @()
        'ImageFactoryLab'   = @('Ubuntu_Server-22_04-Nov-20-2026')
    }

    function Format-Plan($Plan) { @($Plan | ForEach-Object { "$($_.Action) $($_.ImageName) $($_.TargetLabName)" }) }
    function Get-WorldLabs($LocalAzure) { (Invoke-LocalAzureAdmin $LocalAzure 'state').labs }
    function Assert-FinalState($LocalAzure) {
        $state = Invoke-LocalAzureAdmin $LocalAzure 'state'
        foreach ($lab in $state.labs) {
            @($lab.customImages.name | Sort-Object) | Should -Be @($ExpectedImages[$lab.name] | Sort-Object) -Because "lab $($lab.name) must hold exactly its images"
        }
        # No temporary VHD, no pending copy; the factory store is intact.
        @($state.blobs | Where-Object container -eq 'imagefactory-staging') | Should -BeNullOrEmpty
        @($state.copies | Where-Object status -eq 'pending') | Should -BeNullOrEmpty
        @($state.blobs | Where-Object { $_.container -eq 'imagefactoryvhds' -and $_.name -like '*.vhd' }).Count | Should -Be 5
        @($state.blobs | Where-Object { $_.container -eq 'imagefactoryvhds' -and $_.name -like '*.json' }).Count | Should -Be 5
    }
}

Describe 'Planning distribution' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/distribution.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'plans Copy, Skip and Blocked with reasons, newest VHD only' {
        $plan = Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue
        $plan[0].PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Distribution.DistributionPlanItem'
        Format-Plan $plan | Should -Be $Expected
        ($plan | Where-Object Action -eq 'Skip').Reason | Should -Match 'Win2016_Datacenter-Nov-20-2026-copy'
        ($plan | Where-Object Action -eq 'Blocked').Reason | Should -Match 'no access'
        ($plan | Where-Object TargetLabName -eq 'Fabrikam-Training')[0].TargetLocation | Should -Be 'northeurope'
        $plan | ForEach-Object { $_.SourceVhdUri.Query | Should -BeNullOrEmpty }
        (Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -AllVhds -WarningAction SilentlyContinue | Where-Object { $_.ImagePath -eq 'Win2016/Datacenter.json' -and $_.TargetLabName -eq 'Contoso-Dev-Lab' }).Count | Should -Be 2
    }

    It 'lists labs once per subscription and custom images once per lab' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $null = Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue
        $arm = @(Get-LocalAzureRequests $Azure | Where-Object service -eq 'ARM')
        @($arm | Where-Object { $_.path -match '/providers/Microsoft\.DevTestLab/labs\?' }).Count | Should -Be 2
        @($arm | Where-Object { $_.path -match '/customimages\?' }).Count | Should -Be 4
        @($arm | Where-Object isWrite).Count | Should -Be 1 -Because 'only the factory store key is needed (listKeys)'
        $arm.Count | Should -BeLessOrEqual 12
    }

    It 'splits the labs into disjoint, complete shards' {
        $all = Format-Plan (Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue)
        $shards = 0..2 | ForEach-Object { , (Format-Plan (Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -ShardIndex $_ -ShardCount 3 -WarningAction SilentlyContinue)) }
        @($shards | ForEach-Object { $_ } | Sort-Object) | Should -Be @($all | Sort-Object)
        foreach ($shard in $shards) {
            foreach ($lab in @($shard | ForEach-Object { ($_ -split ' ')[-1] } | Sort-Object -Unique)) {
                @($shards | Where-Object { $_ -match " $lab$" }).Count | Should -Be 1 -Because "lab $lab belongs to one shard"
            }
        }
        { Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -ShardIndex 3 -ShardCount 3 } | Should -Throw -ErrorId 'ShardInvalid*'
    }
}

Describe 'Publishing' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/distribution.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'makes no write request with -WhatIf' {
        $plan = Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $output = $plan | Publish-LabCustomImage -WhatIf
        $output | Should -BeNullOrEmpty
        @(Get-LocalAzureRequests $Azure | Where-Object { $_.isWrite -or ($_.service -eq 'blob' -and $_.method -in 'PUT', 'DELETE') }) | Should -BeNullOrEmpty
    }

    It 'distributes a plan read back from JSON: exactly the expected images and tags, nothing left behind' {
        $json = Get-LabDistributionPlan -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue | ConvertTo-Json -Depth 4
        $output = $json | ConvertFrom-Json | Publish-LabCustomImage -MaxConcurrentJobs 4 -WarningVariable warnings -WarningAction SilentlyContinue
        $results = @($output | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageFactory.Engine.Distribution.DistributionResult' })
        $summary = $output | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageFactory.Engine.Distribution.DistributionSummary' }
        $results.Count | Should -Be 9
        @($results | Where-Object Status -eq 'Failed') | Should -BeNullOrEmpty
        $summary.Published | Should -Be 7
        $summary.Skipped | Should -Be 1
        $summary.Blocked | Should -Be 1
        $summary.Failed | Should -Be 0
        $summary.BytesCopied | Should -BeGreaterThan 0
        @($warnings | Where-Object { "$_" -match 'Fabrikam-Secret' }).Count | Should -Be 1

        Assert-FinalState $Azure
        $labs = Get-WorldLabs $Azure
        $ubuntu = ($labs | Where-Object name -eq 'Fabrikam-Training').customImages | Where-Object name -eq 'Ubuntu_Server-22_04-Nov-20-2026'
        $ubuntu.tags.ImagePath | Should -Be 'Ubuntu/Server 22.04.json'
        $ubuntu.tags.ImageFactorySourceId | Should -Be '8d4f0c2d3e4b4a5c9d8e7f6a5b4c3d24'
        $factoryImage = ($labs | Where-Object name -eq 'ImageFactoryLab').customImages | Where-Object name -eq 'Ubuntu_Server-22_04-Nov-20-2026'
        $factoryImage | Should -Not -BeNullOrEmpty
        ($results | Where-Object TargetLabName -eq 'ImageFactoryLab').CopiedFrom | Should -Be 'factory store'
    }

    It 'does nothing but report when run again' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $output = Publish-LabCustomImage -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue
        $summary = $output | Select-Object -Last 1
        $summary.Published | Should -Be 0
        $summary.Skipped | Should -Be 8
        $summary.Blocked | Should -Be 1
        @(Get-LocalAzureRequests $Azure | Where-Object { $_.service -eq 'ARM' -and $_.isWrite }).Count | Should -Be 1 -Because 'only the store key is read'
        Assert-FinalState $Azure
    }
}

Describe 'Faults during distribution' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/distribution.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'converges on re-run after seeded random 429s, 5xx, resets, failed copies and failed long-running operations' {
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
            @{ operation = '*'; resourcePattern = 'customimages|storageAccounts'; kind = 'TooManyRequests'; probability = 0.15 }
            @{ operation = '*'; resourcePattern = 'customimages'; kind = 'ServiceUnavailable'; probability = 0.1 }
            @{ operation = '*'; resourcePattern = 'labs\?|customimages\?'; kind = 'ConnectionReset'; probability = 0.1 }
            @{ operation = 'Blob.StartCopy'; resourcePattern = 'imagefactory-staging'; kind = 'CopyFailedMidway'; nthCall = 2 }
            @{ operation = 'Microsoft.DevTestLab/labs/customimages/write'; resourcePattern = '.*'; kind = 'LongRunningOperationFailed'; nthCall = 3 }
        )
        $first = Publish-LabCustomImage -ConfigurationLocation $Configuration @Factory -MaxConcurrentJobs 3 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $summary = $first | Select-Object -Last 1
        $summary.Failed | Should -BeGreaterThan 0 -Because 'a failed copy and a failed image creation were injected'
        $failures | ForEach-Object { $_.TargetObject.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Distribution.DistributionPlanItem' }
        @((Invoke-LocalAzureAdmin $Azure 'state').blobs | Where-Object container -eq 'imagefactory-staging') | Should -BeNullOrEmpty

        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method DELETE
        $second = Publish-LabCustomImage -ConfigurationLocation $Configuration @Factory -WarningAction SilentlyContinue
        ($second | Select-Object -Last 1).Failed | Should -Be 0
        Assert-FinalState $Azure
    }
}

Describe 'Ctrl+C during distribution' {
    BeforeAll {
        # Slower modelled time (400 ms per modelled minute): a 127 GiB copy takes about 15 s, long enough to stop it.
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/distribution.json') -TimeScale 400
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'aborts the copies, leaves no temporary blob, and a re-run creates exactly what is missing' {
        $state = Invoke-WithCtrlC -Script {
            param($Manifest, $Configuration, $Factory)
            Import-Module $Manifest
            Publish-LabCustomImage -ConfigurationLocation $Configuration @Factory -MaxConcurrentJobs 4 -WarningAction SilentlyContinue
        } -ArgumentList $ModuleManifest, $Configuration, $Factory -UnderWay {
            (Invoke-LocalAzureAdmin $Azure 'state').copies | Where-Object status -eq 'pending'
        } -BeforeStop {
            param($pending)
            $pending.Count | Should -BeGreaterThan 0 -Because 'copies must be under way when Ctrl+C is pressed'
        }
        "$state" | Should -Be 'Stopped'

        $state = Invoke-LocalAzureAdmin $Azure 'state'
        @($state.copies | Where-Object status -eq 'pending') | Should -BeNullOrEmpty
        @($state.blobs | Where-Object container -eq 'imagefactory-staging') | Should -BeNullOrEmpty

        $rerun = Publish-LabCustomImage -ConfigurationLocation $Configuration @Factory -MaxConcurrentJobs 8 -WarningAction SilentlyContinue
        ($rerun | Select-Object -Last 1).Failed | Should -Be 0
        Assert-FinalState $Azure
    }
}
