# Remove-LabStaleImage and Remove-LabGoldenVm against the local Azure (real SDK over loopback HTTPS).
# World: tests/Pester/worlds/retention.json (see its header comment for who is who).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/LocalAzure.ps1
    Import-Module $ModuleManifest -Force
    $script:World = Join-Path $PSScriptRoot 'worlds/retention.json'
    $script:FactorySubscription = '8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01'
    $script:TeamsSubscription = 'b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4'
    $script:Factory = @{ SubscriptionId = $FactorySubscription; DevTestLabName = 'ImageFactoryLab' }
    $script:Dc = 'Win2016/Datacenter.json'
    $script:Sql = 'Win2016/SQLServer 2016 Express.json'

    # GoldenImages has no Win2012R2 template any more: images of it are from a removed template.
    # TeamLab-B subscribes to Datacenter only (its SQL images are unsubscribed); TeamLab-C is found by name.
    function New-RetentionConfiguration([string] $Path, [switch] $WithSecretLab) {
        $labs = @(
            @{ SubscriptionId = $FactorySubscription; LabName = 'TeamLab-A'; ResourceGroup = 'rg-team-a'; ImagePaths = @('Win2016') }
            @{ SubscriptionId = $TeamsSubscription; LabName = 'TeamLab-B'; ResourceGroup = 'rg-team-b'; ImagePaths = @('Win2016/Datacenter.json') }
            @{ SubscriptionId = $TeamsSubscription; LabName = 'TeamLab-C'; ImagePaths = @('Win2016/Datacenter.json', 'Ubuntu') }
        )
        if ($WithSecretLab) {
            $labs += @{ SubscriptionId = 'e9a7c3b5-1d2f-4a86-b7e0-3f5c9d1e2a74'; LabName = 'SecretLab'; ImagePaths = @('Win2016') }
        }
        New-TestConfiguration -Path $Path -LabsJson (@{ Labs = $labs } | ConvertTo-Json -Depth 5) -Templates @{
            'Win2016/Datacenter.json'             = 'Windows'
            'Win2016/SQLServer 2016 Express.json' = 'Windows'
            'Ubuntu/Server 22.04.json'            = 'Linux'
        }
    }

    # Ordinal, case-insensitive: the same order on every machine and culture.
    function Sort-Ordinal([string[]] $Names) {
        $sorted = [string[]] @($Names | Where-Object { $_ })
        [Array]::Sort($sorted, [StringComparer]::OrdinalIgnoreCase)
        $sorted
    }
    function Get-LabImageNames($LocalAzure, [string] $LabName) {
        $lab = (Invoke-LocalAzureAdmin $LocalAzure 'state').labs | Where-Object name -eq $LabName
        Sort-Ordinal @($lab.customImages | Where-Object provisioningState -ne 'Deleting' | ForEach-Object name)
    }
    function Get-LabVmNames($LocalAzure, [string] $LabName) {
        $lab = (Invoke-LocalAzureAdmin $LocalAzure 'state').labs | Where-Object name -eq $LabName
        Sort-Ordinal @($lab.virtualMachines | ForEach-Object name)
    }
    function Get-StoreBlobNames($LocalAzure) {
        Sort-Ordinal @((Invoke-LocalAzureAdmin $LocalAzure 'state').blobs | Where-Object { $_.container -eq 'imagefactoryvhds' -and $_.lab -like '*/labs/ImageFactoryLab' } | ForEach-Object name)
    }
    # Requests that change something: ARM PUT/PATCH/DELETE, ARM POSTs other than listKeys (which reads the key), and
    # any blob write or delete. Token requests are sign-in, not Azure writes.
    function Get-ChangingRequests($LocalAzure) {
        @(Get-LocalAzureRequests $LocalAzure | Where-Object {
                $_.service -ne 'Token' -and $_.method -in 'PUT', 'PATCH', 'DELETE', 'POST' -and $_.operation -ne 'Microsoft.Storage/storageAccounts/listkeys/action'
            })
    }
}

Describe 'Remove-LabStaleImage on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World $World
        Use-LocalAzure $Azure
        $script:Configuration = New-RetentionConfiguration (Join-Path $TestDrive 'config')
        $script:Retire = @{ ConfigurationLocation = $Configuration } + $Factory
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'makes no change with -WhatIf and reports what it would do, each image once' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $results = Remove-LabStaleImage @Retire -ImagesToSave 1 -WhatIf
        Get-ChangingRequests $Azure | Should -BeNullOrEmpty
        @(Get-LocalAzureRequests $Azure | Where-Object { $_.service -eq 'ARM' -and $_.isWrite -and $_.operation -ne 'Microsoft.Storage/storageAccounts/listkeys/action' }) | Should -BeNullOrEmpty

        $results | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Retention.ImageRetentionResult' }
        @($results | Where-Object { "$($_.Action)" -in 'Deleted', 'Failed' }) | Should -BeNullOrEmpty
        # Each image once, even one selected by two rules.
        @($results.Id | Select-Object -Unique).Count | Should -Be $results.Count
        $twice = $results | Where-Object { $_.LabName -eq 'TeamLab-B' -and $_.Name -eq 'Win2016_SQLServer-2016-Express-Nov-5-2026' }
        "$($twice.Action)" | Should -Be 'WouldDelete'
        "$($twice.Reason)" | Should -Be 'Expired, NotSubscribed'
        (Get-StoreBlobNames $Azure).Count | Should -Be 13
        (Get-LabImageNames $Azure 'TeamLab-A').Count | Should -Be 6
    }

    It 'keeps the newest 2 per ImagePath in the store and in 3 labs, removes removed-template and unsubscribed images' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $results = Remove-LabStaleImage @Retire -ImagesToSave 2 -MaxConcurrentJobs 3 -Confirm:$false -ErrorVariable failures
        $failures | Should -BeNullOrEmpty

        # Factory store: dc-1 (the original's record, expired) and vs-1 (removed template) go, VHD and record together;
        # the young VHD without record may be a save in flight and stays.
        Get-StoreBlobNames $Azure | Should -Be @('dc-2.json', 'dc-2.vhd', 'dc-3.json', 'dc-3.vhd', 'in-flight.vhd', 'sql-1.json', 'sql-1.vhd', 'sql-2.json', 'sql-2.vhd')
        $store = @($results | Where-Object { "$($_.Location)" -eq 'FactoryStore' -and "$($_.Action)" -eq 'Deleted' })
        ($store | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Reason)" }) | Should -Be @(
            'Win2012R2_VS2015-Enterprise-with-Azure-SDK-Nov-3-2026=TemplateRemoved'
            'Win2016_Datacenter-Nov-1-2026=Expired')

        Get-LabImageNames $Azure 'ImageFactoryLab' | Should -Be @('jumpbox-image', 'packer-win2016', 'Win2016_Datacenter-Nov-1-2026', 'Win2016_Datacenter-Nov-20-2026')
        Get-LabImageNames $Azure 'TeamLab-A' | Should -Be @('team-a-custom', 'Win2016_Datacenter-Nov-10-2026', 'Win2016_Datacenter-Nov-20-2026', 'Win2016_SQLServer-2016-Express-Nov-15-2026')
        Get-LabImageNames $Azure 'TeamLab-B' | Should -Be @('packer-sql', 'Win2016_Datacenter-Nov-10-2026', 'Win2016_Datacenter-Nov-20-2026')
        Get-LabImageNames $Azure 'TeamLab-C' | Should -Be @('Ubuntu_Server-22_04-Nov-2-2026', 'Ubuntu_Server-22_04-Nov-22-2026', 'Win2016_Datacenter-Nov-20-2026')
        # Labs outside Labs.json are not touched without -DroppedLab.
        (Get-LabImageNames $Azure 'OldLab').Count | Should -Be 2
        (Get-LabImageNames $Azure 'ImageFactoryLab2').Count | Should -Be 2

        $deleted = @($results | Where-Object { "$($_.Action)" -eq 'Deleted' })
        $deleted.Count | Should -Be 6
        "$(($deleted | Where-Object { $_.LabName -eq 'TeamLab-A' -and $_.Name -like 'Win2012R2*' }).Reason)" | Should -Be 'TemplateRemoved'
        @($deleted | Where-Object LabName -eq 'TeamLab-B' | ForEach-Object { "$($_.Reason)" }) | Should -Be @('NotSubscribed', 'NotSubscribed')
        @($results | Where-Object { "$($_.Action)" -eq 'Kept' }).Count | Should -Be 14
        # Untagged and foreign images are not even considered.
        $results.Name | Should -Not -Contain 'jumpbox-image'
        $results.Name | Should -Not -Contain 'packer-sql'
        $results.Name | Should -Not -Contain 'team-a-custom'

        # One lab list per subscription, and each deletion requested once.
        $requests = Get-LocalAzureRequests $Azure
        @($requests | Where-Object { $_.method -eq 'GET' -and $_.path -match '^/subscriptions/[^/]+/providers/Microsoft.DevTestLab/labs\?' }).Count | Should -Be 2
        $deletes = @($requests | Where-Object { $_.service -eq 'ARM' -and $_.method -eq 'DELETE' })
        $deletes.Count | Should -Be 4
        @($deletes.path | Select-Object -Unique).Count | Should -Be 4
    }

    It 'keeps the newest 1 per ImagePath on the next run' {
        $results = Remove-LabStaleImage @Retire -ImagesToSave 1 -Confirm:$false -ErrorVariable failures
        $failures | Should -BeNullOrEmpty
        Get-StoreBlobNames $Azure | Should -Be @('dc-3.json', 'dc-3.vhd', 'in-flight.vhd', 'sql-2.json', 'sql-2.vhd')
        Get-LabImageNames $Azure 'ImageFactoryLab' | Should -Be @('jumpbox-image', 'packer-win2016', 'Win2016_Datacenter-Nov-20-2026')
        Get-LabImageNames $Azure 'TeamLab-A' | Should -Be @('team-a-custom', 'Win2016_Datacenter-Nov-20-2026', 'Win2016_SQLServer-2016-Express-Nov-15-2026')
        Get-LabImageNames $Azure 'TeamLab-B' | Should -Be @('packer-sql', 'Win2016_Datacenter-Nov-20-2026')
        Get-LabImageNames $Azure 'TeamLab-C' | Should -Be @('Ubuntu_Server-22_04-Nov-22-2026', 'Win2016_Datacenter-Nov-20-2026')
        @($results | Where-Object { "$($_.Action)" -eq 'Deleted' }).Count | Should -Be 6
        $results | Where-Object { "$($_.Action)" -eq 'Deleted' } | ForEach-Object { "$($_.Reason)" | Should -Be 'Expired' }
    }

    It 'cleans a dropped lab only when -DroppedLab names it, and refuses a lab still in Labs.json' {
        $results = Remove-LabStaleImage @Retire -ImagesToSave 1 -DroppedLab "$TeamsSubscription/OldLab", 'TeamLab-A' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'DroppedLabStillConfigured,ImageFactory.Commands.RemoveLabStaleImageCommand'
        Get-LabImageNames $Azure 'OldLab' | Should -Be @('old-lab-own')
        $dropped = $results | Where-Object LabName -eq 'OldLab'
        "$($dropped.Action)" | Should -Be 'Deleted'
        "$($dropped.Reason)" | Should -Be 'LabDropped'
        (Get-LabImageNames $Azure 'TeamLab-A').Count | Should -Be 3
        (Get-LabImageNames $Azure 'ImageFactoryLab2').Count | Should -Be 2
    }

    It 'reports a lab it cannot read as an error and retires the others' {
        $configuration = New-RetentionConfiguration (Join-Path $TestDrive 'config-secret') -WithSecretLab
        $results = Remove-LabStaleImage -ConfigurationLocation $configuration @Factory -ImagesToSave 1 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'AzureAccessDenied,ImageFactory.Commands.RemoveLabStaleImageCommand'
        $failures[0].TargetObject.LabName | Should -Be 'SecretLab'
        @($results | Where-Object { "$($_.Action)" -eq 'Kept' }).Count | Should -BeGreaterThan 0
    }

    It 'formats its results as a table and writes no secret to any stream' {
        $all = Remove-LabStaleImage @Retire -ImagesToSave 1 -DroppedLab "$TeamsSubscription/OldLab" -WhatIf -Verbose *>&1 | Out-String -Width 300
        $all | Should -Match 'TeamLab-B'
        $all | Should -Not -Match 'sig='
        $all | Should -Not -Match ([regex]::Escape($env:AZURE_CLIENT_SECRET))
        $table = Remove-LabStaleImage @Retire -ImagesToSave 1 -WhatIf | Format-Table | Out-String -Width 300
        $table | Should -Match 'Action\s+Reason\s+Location\s+LabName\s+ImagePath\s+Name\s+Created'
    }

    It 'stops on an invalid configuration before any Azure call' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $broken = New-TestConfiguration -Path (Join-Path $TestDrive 'broken') -LabsJson '{ "Labs": [ { "LabName": "x" } ] }'
        $failure = { Remove-LabStaleImage -ConfigurationLocation $broken @Factory -ImagesToSave 1 -Confirm:$false } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -BeLike 'Configuration.*,ImageFactory.Commands.RemoveLabStaleImageCommand'
        @(Get-LocalAzureRequests $Azure | Where-Object service -eq 'ARM') | Should -BeNullOrEmpty
    }
}

Describe 'Remove-LabStaleImage faults on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World $World
        Use-LocalAzure $Azure
        $script:Configuration = New-RetentionConfiguration (Join-Path $TestDrive 'config')
        $script:Retire = @{ ConfigurationLocation = $Configuration } + $Factory
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'reports a failed long-running deletion per image while the rest proceeds' {
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
            @{ operation = 'Microsoft.DevTestLab/labs/customimages/delete'; resourcePattern = 'TeamLab-A/customimages/Win2016_Datacenter-Nov-1-2026'; kind = 'LongRunningOperationFailed' }
        )
        $results = Remove-LabStaleImage @Retire -ImagesToSave 2 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        # A DevTest Labs DELETE is a Location-style operation: its failure comes back as an error status when polled,
        # which the shared ArmRestClient reports as AzureRequestFailed (AzureOperationFailed for Azure-AsyncOperation).
        $failures[0].FullyQualifiedErrorId | Should -Match '^Azure(Operation|Request)Failed,ImageFactory.Commands.RemoveLabStaleImageCommand$'
        $failures[0].Exception.Message | Should -Match 'InternalOperationError'
        $failures[0].TargetObject.Name | Should -Be 'Win2016_Datacenter-Nov-1-2026'
        $failures[0].TargetObject.LabName | Should -Be 'TeamLab-A'
        $failures[0].Exception.Message | Should -Match 'TeamLab-A'
        $failed = @($results | Where-Object { "$($_.Action)" -eq 'Failed' })
        $failed.Count | Should -Be 1
        @($results | Where-Object { "$($_.Action)" -eq 'Deleted' }).Count | Should -Be 5
        Get-LabImageNames $Azure 'TeamLab-B' | Should -Be @('packer-sql', 'Win2016_Datacenter-Nov-10-2026', 'Win2016_Datacenter-Nov-20-2026')
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method DELETE
    }

    It 'reports a 409 per image while the rest proceeds' {
        # PENDING EMULATOR SUPPORT: needs fault kind 'Conflict' in tools/LocalAzure (409 before the handler runs; see
        # the report of issue #6). The local Azure has no natural 409 on a custom image DELETE. Until the kind exists,
        # the admin API refuses the rule with 400 and this test is skipped; the 409 path is covered in xunit
        # (RetentionExecutionTests) with fakes.
        try {
            $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
                @{ operation = 'Microsoft.DevTestLab/labs/customimages/delete'; resourcePattern = 'TeamLab-C/customimages/Ubuntu_Server-22_04-Nov-2-2026'; kind = 'Conflict' }
            )
        } catch {
            Set-ItResult -Skipped -Because 'the local Azure has no Conflict (409) fault kind yet'
            return
        }
        try {
            $results = Remove-LabStaleImage @Retire -ImagesToSave 1 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -Be 'AzureConflict,ImageFactory.Commands.RemoveLabStaleImageCommand'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'ResourceBusy'
            $failures[0].TargetObject.Name | Should -Be 'Ubuntu_Server-22_04-Nov-2-2026'
            @($results | Where-Object { "$($_.Action)" -eq 'Failed' }).Count | Should -Be 1
            @($results | Where-Object { "$($_.Action)" -eq 'Deleted' }).Count | Should -BeGreaterThan 0
            Get-LabImageNames $Azure 'TeamLab-C' | Should -Contain 'Ubuntu_Server-22_04-Nov-2-2026'
        } finally {
            $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method DELETE
        }
    }
}

Describe 'Ctrl+C during Remove-LabStaleImage' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World $World
        Use-LocalAzure $Azure
        $script:Configuration = New-RetentionConfiguration (Join-Path $TestDrive 'config')
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'stops starting deletions and ends Stopped' {
        # Every image deletion answers slowly (an hour, modelled): one runs at a time, and Ctrl+C comes during the first.
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
            @{ operation = 'Microsoft.DevTestLab/labs/customimages/delete'; resourcePattern = '.*'; kind = 'SlowResponse'; delay = '01:00:00' }
        )
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $state = Invoke-WithCtrlC -Script {
            param($Manifest, $Arguments)
            Import-Module $Manifest
            Remove-LabStaleImage @Arguments -ImagesToSave 1 -MaxConcurrentJobs 1 -Confirm:$false
        } -ArgumentList $ModuleManifest, (@{ ConfigurationLocation = $Configuration } + $Factory) -UnderWay {
            Get-LocalAzureRequests $Azure | Where-Object { $_.service -eq 'ARM' -and $_.method -eq 'DELETE' }
        } -BeforeStop {
            param($deletes, $completed)
            $completed | Should -BeFalse -Because 'a deletion must be under way when Ctrl+C is pressed'
        }
        "$state" | Should -Be 'Stopped'

        # Of the eight lab images to delete, one at a time, at most the one under way (and one racing it) was asked for.
        @(Get-LocalAzureRequests $Azure | Where-Object { $_.service -eq 'ARM' -and $_.method -eq 'DELETE' }).Count | Should -BeLessOrEqual 2
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method DELETE
    }
}

Describe 'Remove-LabGoldenVm on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World $World
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'makes no change with -WhatIf' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $results = Remove-LabGoldenVm @Factory -WhatIf -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        Get-ChangingRequests $Azure | Should -BeNullOrEmpty
        $results | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Retention.GoldenVmRemovalResult' }
        @($results | Where-Object { "$($_.Action)" -eq 'WouldDelete' } | ForEach-Object Name | Sort-Object) | Should -Be @('dc-vm', 'failed-vm', 'sql-vm')
        (Get-LabVmNames $Azure 'ImageFactoryLab').Count | Should -Be 6
    }

    It 'deletes saved and failed VMs of exactly that lab, keeps FactoryIgnore, refuses unsaved, reports untagged' {
        $results = Remove-LabGoldenVm @Factory -MaxConcurrentJobs 2 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GoldenVmUntagged,ImageFactory.Commands.RemoveLabGoldenVmCommand'
        $failures[0].TargetObject.Name | Should -Be 'jumpbox'
        @($warnings | Where-Object { "$_" -match 'ubuntu-vm' }).Count | Should -Be 1

        $byName = @{}
        $results | ForEach-Object { $byName[$_.Name] = "$($_.Action)/$($_.Reason)" }
        $byName['dc-vm'] | Should -Be 'Deleted/Saved'
        $byName['sql-vm'] | Should -Be 'Deleted/Saved' -Because 'a record of the original scripts with its ImagePath is newer than the VM'
        $byName['failed-vm'] | Should -Be 'Deleted/ProvisioningFailed'
        $byName['keep-vm'] | Should -Be 'Kept/FactoryIgnore'
        $byName['ubuntu-vm'] | Should -Be 'Refused/NotSaved'
        ($results | Where-Object Name -eq 'dc-vm').SavedAs | Should -Be 'Win2016_Datacenter-Nov-20-2026'

        Get-LabVmNames $Azure 'ImageFactoryLab' | Should -Be @('jumpbox', 'keep-vm', 'ubuntu-vm')
        Get-LabVmNames $Azure 'ImageFactoryLab2' | Should -Be @('dc-vm2') -Because 'a lab whose name contains the factory lab''s is another lab'
    }

    It 'deletes an unsaved VM with -Force' {
        $results = Remove-LabGoldenVm @Factory -Force -Confirm:$false -ErrorAction SilentlyContinue
        $ubuntu = $results | Where-Object Name -eq 'ubuntu-vm'
        "$($ubuntu.Action)/$($ubuntu.Reason)" | Should -Be 'Deleted/Forced'
        Get-LabVmNames $Azure 'ImageFactoryLab' | Should -Be @('jumpbox', 'keep-vm')
    }

    It 'formats its results as a table and writes no secret to any stream' {
        $all = Remove-LabGoldenVm @Factory -WhatIf -Verbose *>&1 | Out-String -Width 300
        $all | Should -Match 'keep-vm'
        $all | Should -Not -Match 'sig='
        $all | Should -Not -Match ([regex]::Escape($env:AZURE_CLIENT_SECRET))
        $table = Remove-LabGoldenVm @Factory -WhatIf -ErrorAction SilentlyContinue | Format-Table | Out-String -Width 300
        $table | Should -Match 'Name\s+Action\s+Reason\s+ImagePath\s+Details'
    }

    It 'finds the lab by its exact name' {
        $failure = { Remove-LabGoldenVm -SubscriptionId $FactorySubscription -DevTestLabName 'ImageFactory' -Confirm:$false } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'LabNotFound,ImageFactory.Commands.RemoveLabGoldenVmCommand'
    }
}

Describe 'Remove-LabGoldenVm faults on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World $World
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'reports a failed deletion per VM with the VM as target while the others are deleted' {
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
            @{ operation = 'Microsoft.DevTestLab/labs/virtualmachines/delete'; resourcePattern = 'virtualmachines/sql-vm'; kind = 'LongRunningOperationFailed' }
        )
        $results = Remove-LabGoldenVm @Factory -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $vmFailures = @($failures | Where-Object { $_.FullyQualifiedErrorId -notlike 'GoldenVmUntagged,*' })
        $vmFailures.Count | Should -Be 1
        $vmFailures[0].FullyQualifiedErrorId | Should -Match '^Azure(Operation|Request)Failed,ImageFactory.Commands.RemoveLabGoldenVmCommand$'
        $vmFailures[0].Exception.Message | Should -Match 'sql-vm'
        $vmFailures[0].TargetObject.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Vhds.GoldenVm'
        $vmFailures[0].TargetObject.Name | Should -Be 'sql-vm'
        "$(($results | Where-Object Name -eq 'sql-vm').Action)" | Should -Be 'Failed'
        @($results | Where-Object { "$($_.Action)" -eq 'Deleted' } | ForEach-Object Name | Sort-Object) | Should -Be @('dc-vm', 'failed-vm')
    }
}
