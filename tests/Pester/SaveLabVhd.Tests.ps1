# Save-LabVhd, Get-LabGoldenVm and Get-LabVhd against the local Azure (real SDK over loopback HTTPS).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/LocalAzure.ps1
    Import-Module $ModuleManifest -Force
    $script:Subscription = '8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01'
    $script:Lab = @{ SubscriptionId = $Subscription; DevTestLabName = 'ImageFactoryLab' }
    $script:Today = [DateTime]::UtcNow.ToString('MMM-d-yyyy', [cultureinfo]::InvariantCulture)

    function Get-StoreBlobs($LocalAzure) {
        @((Invoke-LocalAzureAdmin $LocalAzure 'state').blobs | Where-Object container -eq 'imagefactoryvhds')
    }
    function Get-ActiveDiskAccess($LocalAzure) {
        @((Invoke-LocalAzureAdmin $LocalAzure 'state').disks | Where-Object activeSas)
    }
    function Read-Record($LocalAzure, [string] $Name) {
        # Records are read through the module itself (Get-LabVhd); this reads the raw JSON for format checks.
        $vhd = Get-LabVhd @Lab | Where-Object RecordFileName -eq $Name
        $vhd | Should -Not -BeNullOrEmpty
        $vhd
    }
}

Describe 'Saving golden VMs on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/save.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'lists the golden VMs (tagged ImagePath) with their readiness' {
        $vms = Get-LabGoldenVm @Lab
        $vms.Name | Should -Be @('server2204-yj2z', 'vs2015ente-uc5p', 'datacenter-u6e6', 'sqlserver2-v862')
        $vms[0].PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Vhds.GoldenVm'
        $running = $vms | Where-Object Name -eq 'sqlserver2-v862'
        $running.CanSave | Should -BeFalse
        $running.PowerState | Should -Be 'running'
        $running.NotReadyReason | Should -Match 'running'
        ($vms | Where-Object Name -eq 'vs2015ente-uc5p').ImagePath | Should -Be 'Win2012R2/VS2015 Enterprise with Azure SDK.json'
        ($vms | Where-Object CanSave).Count | Should -Be 3
    }

    It 'finds the lab by name across the subscription, and names what it searched when it cannot' {
        $failure = { Get-LabGoldenVm -SubscriptionId $Subscription -DevTestLabName NoSuchLab } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'LabNotFound,ImageFactory.Commands.GetLabGoldenVmCommand'
        $failure.Exception.Message | Should -Match 'NoSuchLab'
        $failure.Exception.Message | Should -Match $Subscription
        (Get-LabGoldenVm @Lab -ResourceGroupName rg-image-factory).Count | Should -Be 4
    }

    It 'reads the original scripts'' record with its culture-formatted timestamp' {
        $legacy = Get-LabVhd @Lab
        $legacy.Count | Should -Be 1
        $legacy.ImageName | Should -Be 'Win2016_Datacenter-Nov-25-2026'
        $legacy.ImagePath | Should -Be 'Win2016/Datacenter.json'
        $legacy.Timestamp.UtcDateTime | Should -Be ([datetime]::new(2026, 11, 2, 16, 5, 6, [DateTimeKind]::Utc))
        $legacy.Specialized | Should -BeFalse
        $legacy.VhdUri.Query | Should -BeNullOrEmpty
    }

    It 'makes no write request with -WhatIf' {
        $null = Invoke-LocalAzureAdmin $Azure 'requests' -Method DELETE
        $results = Save-LabVhd @Lab -WhatIf -WarningAction SilentlyContinue
        $requests = Get-LocalAzureRequests $Azure
        $requests.Count | Should -BeGreaterThan 0
        @($requests | Where-Object isWrite) | Should -BeNullOrEmpty
        # Signing in (a POST to the token endpoint) is not a write to Azure; nothing else may be.
        @($requests | Where-Object { $_.service -ne 'Token' -and $_.method -in 'PUT', 'POST', 'DELETE', 'PATCH' }) | Should -BeNullOrEmpty
        @($results | Where-Object Status -eq 'Saved') | Should -BeNullOrEmpty
        (Get-StoreBlobs $Azure).Count | Should -Be 2
    }

    It 'saves a generalized Windows VM, a Linux VM, skips the running one, then a specialized VM without notes' {
        $results = Save-LabVhd @Lab -Name datacenter-u6e6, sqlserver2-v862, server2204-yj2z -MaxConcurrentJobs 2 -WarningVariable warnings -WarningAction SilentlyContinue
        $results | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Vhds.VhdSaveResult' }

        $skipped = $results | Where-Object VmName -eq 'sqlserver2-v862'
        "$($skipped.Status)" | Should -Be 'Skipped'
        $skipped.Reason | Should -Match 'running'
        @($warnings | Where-Object { "$_" -match 'sqlserver2-v862' }).Count | Should -Be 1

        $windows = $results | Where-Object VmName -eq 'datacenter-u6e6'
        "$($windows.Status)" | Should -Be 'Saved'
        # The original's record already holds today's name when the suite runs on its date: the next letter is used.
        $expected = "Win2016_Datacenter-$Today"
        if ($expected -eq 'Win2016_Datacenter-Nov-25-2026') { $expected += 'A' }
        $windows.ImageName | Should -Be $expected
        $windows.Specialized | Should -BeFalse
        $windows.VhdUri.Query | Should -BeNullOrEmpty

        $linux = $results | Where-Object VmName -eq 'server2204-yj2z'
        "$($linux.Status)" | Should -Be 'Saved'
        $linux.ImageName | Should -Be "Ubuntu_Server-22_04-$Today"
        $linux.Specialized | Should -BeTrue -Because 'a Linux VHD is never marked sysprepped'

        $specialized = Save-LabVhd @Lab -Name vs2015ente-uc5p -Specialized
        "$($specialized.Status)" | Should -Be 'Saved'
        $specialized.Specialized | Should -BeTrue
        $specialized.ImageName | Should -Be "Win2012R2_VS2015-Enterprise-with-Azure-SDK-$Today"

        $saved = Get-LabVhd @Lab
        $saved.Count | Should -Be 4
        ($saved | Where-Object ImagePath -eq 'Win2012R2/VS2015 Enterprise with Azure SDK.json').Description | Should -BeNullOrEmpty
        ($saved | Where-Object ImagePath -eq 'Ubuntu/Server 22.04.json').Description | Should -Be 'Ubuntu Server 22.04 LTS'
        # Newest first within an ImagePath.
        @($saved | Where-Object ImagePath -eq 'Win2016/Datacenter.json').ImageName | Should -Be @($windows.ImageName, 'Win2016_Datacenter-Nov-25-2026')
        @(Get-LabVhd @Lab -Latest).Count | Should -Be 3
    }

    It 'leaves exactly the expected blobs and no granted disk access' {
        $blobs = Get-StoreBlobs $Azure
        @($blobs | Where-Object { $_.name -like '*.vhd' }).Count | Should -Be 4
        @($blobs | Where-Object { $_.name -like '*.json' }).Count | Should -Be 4
        $blobs | Where-Object { $_.name -like '*.vhd' } | ForEach-Object { $_.pageBlob | Should -BeTrue }
        foreach ($vhd in ($blobs | Where-Object { $_.name -like '*.vhd' })) {
            $blobs.name | Should -Contain ($vhd.name -replace '\.vhd$', '.json')
        }
        Get-ActiveDiskAccess $Azure | Should -BeNullOrEmpty
        @((Invoke-LocalAzureAdmin $Azure 'state').copies | Where-Object status -eq 'pending') | Should -BeNullOrEmpty
    }

    It 'does not save a VM twice when run again' {
        $results = Save-LabVhd @Lab -WarningAction SilentlyContinue
        @($results | Where-Object Status -eq 'Saved') | Should -BeNullOrEmpty
        @($results | Where-Object { $_.Status -eq 'Skipped' -and $_.Reason -match 'already saved' }).Count | Should -Be 3
        (Get-StoreBlobs $Azure).Count | Should -Be 8
    }

    It 'reports an unknown VM name as a per-item error' {
        $null = Save-LabVhd @Lab -Name no-such-vm -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GoldenVmNotFound,ImageFactory.Commands.SaveLabVhdCommand'
        $failures[0].TargetObject | Should -Be 'no-such-vm'
    }

    It 'also writes warnings as Azure Pipelines task issues when TF_BUILD is set' {
        $env:TF_BUILD = 'True'
        try {
            $output = & $FreshPwsh -NoProfile -NonInteractive -Command "Import-Module '$ModuleManifest'; Save-LabVhd -SubscriptionId $Subscription -DevTestLabName ImageFactoryLab -Name sqlserver2-v862 -WarningAction SilentlyContinue | Out-Null"
        } finally {
            Remove-Item env:TF_BUILD
        }
        $issues = @($output | Where-Object { $_ -like '##vso*' })
        $issues.Count | Should -Be 1
        $issues[0] | Should -Match '^##vso\[task\.logissue type=warning\]VM .sqlserver2-v862.'
    }

    It 'writes no secret to any stream' {
        $all = Save-LabVhd @Lab -Verbose -Debug -WarningAction Continue *>&1 | Out-String
        $all | Should -Not -Match 'sig='
        $all | Should -Not -Match ([regex]::Escape($env:AZURE_CLIENT_SECRET))
    }
}

Describe 'Faults and re-runs on the local Azure' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/save.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'converges on re-run after a failed copy, a 429, a 503 and a failed long-running operation' {
        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method POST -Body @(
            @{ operation = 'Blob.StartCopy'; resourcePattern = 'imagefactoryvhds'; kind = 'CopyFailedMidway'; nthCall = 1 }
            @{ operation = 'Microsoft.DevTestLab/labs/virtualmachines/read'; resourcePattern = '.*'; kind = 'TooManyRequests'; nthCall = 1 }
            @{ operation = 'Microsoft.Storage/storageAccounts/listkeys/action'; resourcePattern = '.*'; kind = 'ServiceUnavailable'; nthCall = 1 }
            @{ operation = 'Microsoft.Compute/disks/beginGetAccess/action'; resourcePattern = '.*'; kind = 'LongRunningOperationFailed'; nthCall = 2 }
        )
        $first = Save-LabVhd @Lab -MaxConcurrentJobs 3 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $failed = @($first | Where-Object Status -eq 'Failed')
        $failed.Count | Should -Be 2
        $failures.Count | Should -Be 2
        $failures | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -Match '^(VhdCopyFailed|AzureOperationFailed),ImageFactory.Commands.SaveLabVhdCommand$'
            $_.TargetObject.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Vhds.GoldenVm'
        }
        # The 429 and the 503 were retried by the SDK and cost nothing.
        $requests = Get-LocalAzureRequests $Azure
        @($requests | Where-Object status -eq 429).Count | Should -BeGreaterThan 0
        @($requests | Where-Object status -eq 503).Count | Should -BeGreaterThan 0
        # Nothing half-done is left behind.
        $blobs = Get-StoreBlobs $Azure
        @($blobs | Where-Object { $_.name -like '*.vhd' }).Count | Should -Be 2
        Get-ActiveDiskAccess $Azure | Should -BeNullOrEmpty

        $null = Invoke-LocalAzureAdmin $Azure 'faults' -Method DELETE
        $second = Save-LabVhd @Lab -WarningAction SilentlyContinue
        @($second | Where-Object Status -eq 'Saved').Count | Should -Be 2
        @($second | Where-Object Status -eq 'Failed') | Should -BeNullOrEmpty
        $saved = Get-LabVhd @Lab
        $saved.Count | Should -Be 4
        ($saved | Group-Object ImagePath | Where-Object Count -gt 1).Name | Should -Be 'Win2016/Datacenter.json'
        Get-ActiveDiskAccess $Azure | Should -BeNullOrEmpty
        $blobs = Get-StoreBlobs $Azure
        @($blobs | Where-Object { $_.name -like '*.vhd' }).Count | Should -Be 4
        @($blobs | Where-Object { $_.name -like '*.json' }).Count | Should -Be 4
    }
}

Describe 'Ctrl+C during a copy' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/cancel.json')
        Use-LocalAzure $Azure
    }
    AfterAll {
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'stops, aborts the copy, deletes the partial blob and revokes the disk access' {
        $state = Invoke-WithCtrlC -Script {
            param($Manifest, $Lab)
            Import-Module $Manifest
            Save-LabVhd @Lab
        } -ArgumentList $ModuleManifest, $Lab -UnderWay {
            (Invoke-LocalAzureAdmin $Azure 'state').copies | Where-Object status -eq 'pending'
        } -BeforeStop {
            param($pending)
            $pending.Count | Should -Be 1 -Because 'the copy must be under way when Ctrl+C is pressed'
            Get-ActiveDiskAccess $Azure | Should -Not -BeNullOrEmpty
        }
        "$state" | Should -Be 'Stopped'

        $state = Invoke-LocalAzureAdmin $Azure 'state'
        @($state.copies | Where-Object status -eq 'pending') | Should -BeNullOrEmpty
        @($state.blobs | Where-Object container -eq 'imagefactoryvhds') | Should -BeNullOrEmpty
        Get-ActiveDiskAccess $Azure | Should -BeNullOrEmpty
    }
}

Describe 'Signing in' {
    BeforeAll {
        $script:Azure = Start-LocalAzure -World (Join-Path $PSScriptRoot 'worlds/save.json')
        Use-LocalAzure $Azure
        $script:Secret = $env:AZURE_CLIENT_SECRET
        $script:TokenUri = $Azure.Authority.TrimEnd('/') + "/$($env:AZURE_TENANT_ID)/oauth2/v2.0/token"
        $script:TokenBody = @{ grant_type = 'client_credentials'; client_id = $env:AZURE_CLIENT_ID; client_secret = $Secret; scope = 'https://management.azure.com//.default' }
    }
    AfterAll {
        Remove-Item function:global:Get-AzAccessToken -ErrorAction Ignore
        Clear-LocalAzureSession
        Stop-LocalAzure $Azure
    }

    It 'signs in with environment variables through the local token endpoint' {
        (Get-LabGoldenVm @Lab).Count | Should -Be 4
        $requests = Get-LocalAzureRequests $Azure
        @($requests | Where-Object { $_.service -eq 'token' -or $_.path -like '*oauth2*' }).Count | Should -BeGreaterThan 0
    }

    It 'asks the Az context for a fresh token, on the pipeline thread, when its token nears its end' {
        $global:AzTokenCalls = 0
        $global:AzTokenThreads = [System.Collections.Generic.List[int]]::new()
        $uri = $TokenUri
        $body = $TokenBody
        $null = New-Item -Path function:global:Get-AzAccessToken -Force -Value {
            param($ResourceUrl)
            $global:AzTokenCalls++
            $global:AzTokenThreads.Add([Environment]::CurrentManagedThreadId)
            # Four minutes left: inside the five-minute window in which a fresh token is asked for.
            [pscustomobject]@{ Token = (Invoke-RestMethod -Method Post -Uri $uri -Body $body).access_token; ExpiresOn = [DateTimeOffset]::UtcNow.AddMinutes(4) }
        }.GetNewClosure()
        Remove-Item env:AZURE_CLIENT_SECRET
        try {
            $pipelineThread = [Environment]::CurrentManagedThreadId
            $result = Save-LabVhd @Lab -Name datacenter-u6e6
            "$($result.Status)" | Should -Be 'Saved'
            $global:AzTokenCalls | Should -BeGreaterOrEqual 2 -Because 'the first token was asked for again before it ran out'
            $global:AzTokenThreads | ForEach-Object { $_ | Should -Be $pipelineThread }
        } finally {
            $env:AZURE_CLIENT_SECRET = $Secret
            Remove-Item function:global:Get-AzAccessToken -ErrorAction Ignore
            Remove-Variable AzTokenCalls, AzTokenThreads -Scope Global -ErrorAction Ignore
        }
    }

    It 'uses the Az context token from Get-AzAccessToken (<Kind>) and needs no other credential' -ForEach @(
        @{ Kind = 'String' }
        @{ Kind = 'SecureString' }
    ) {
        $token = (Invoke-RestMethod -Method Post -Uri $TokenUri -Body $TokenBody).access_token
        $value = if ($Kind -eq 'SecureString') { ConvertTo-SecureString $token -AsPlainText -Force } else { $token }
        $null = New-Item -Path function:global:Get-AzAccessToken -Force -Value {
            param($ResourceUrl)
            [pscustomobject]@{ Token = $value; ExpiresOn = [DateTimeOffset]::UtcNow.AddMinutes(50); Type = 'Bearer' }
        }.GetNewClosure()
        Remove-Item env:AZURE_CLIENT_SECRET
        try {
            $vms = Get-LabGoldenVm @Lab -Verbose 4>&1
            ($vms | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'Az context'
            @($vms | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 4
        } finally {
            $env:AZURE_CLIENT_SECRET = $Secret
            Remove-Item function:global:Get-AzAccessToken -ErrorAction Ignore
        }
    }
}
