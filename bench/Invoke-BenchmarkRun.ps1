<#
.SYNOPSIS
    One measured ImageFactory call of the benchmark, in its own pwsh process (started by Invoke-Benchmark.ps1).
.DESCRIPTION
    The process is started with the TLS trust variables and the local Azure's sign-in variables
    (IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT, AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID,
    AZURE_CLIENT_SECRET) in its environment. It imports the module, runs either Publish-LabCustomImage or
    Get-LabDistributionPlan once, and writes what it saw to -ResultPath as JSON: the call's wall time, the summary or
    plan counts, and this process's own memory (VmRSS before the call, VmHWM after it, from /proc/self/status).
    It measures; it asserts nothing.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [ValidateSet('Publish', 'Plan')] [string] $Mode,
    [Parameter(Mandatory)] [string] $ConfigurationLocation,
    [Parameter(Mandatory)] [string] $SubscriptionId,
    [Parameter(Mandatory)] [string] $DevTestLabName,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $MaxConcurrentJobs = 8,
    [switch] $NoReplicaSource
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # no progress rendering cost in the measured process

function Get-ProcStatusMiB([string] $Field) {
    if (-not (Test-Path '/proc/self/status')) { return $null }
    $line = Select-String -LiteralPath '/proc/self/status' -Pattern "^$($Field):\s+(\d+)\s+kB" | Select-Object -First 1
    if ($line) { [math]::Round([double] $line.Matches[0].Groups[1].Value / 1024, 1) } else { $null }
}

Import-Module $ModuleManifest
$result = [ordered]@{ mode = $Mode; processId = $PID; rssBeforeMiB = (Get-ProcStatusMiB 'VmRSS') }
$common = @{ ConfigurationLocation = $ConfigurationLocation; SubscriptionId = $SubscriptionId; DevTestLabName = $DevTestLabName; WarningAction = 'SilentlyContinue' }
$errors = @()
$started = [DateTimeOffset]::UtcNow
$stopwatch = [Diagnostics.Stopwatch]::StartNew()
if ($Mode -eq 'Publish') {
    $output = Publish-LabCustomImage @common -MaxConcurrentJobs $MaxConcurrentJobs -NoReplicaSource:$NoReplicaSource -ErrorVariable +errors -ErrorAction SilentlyContinue
    $stopwatch.Stop()
    $summary = $output | Where-Object { $_.PSObject.TypeNames[0] -like '*DistributionSummary' } | Select-Object -Last 1
    $results = @($output | Where-Object { $_.PSObject.TypeNames[0] -like '*DistributionResult' })
    $result.summary = if ($summary) {
        [ordered]@{ published = $summary.Published; skipped = $summary.Skipped; failed = $summary.Failed; blocked = $summary.Blocked; bytesCopied = $summary.BytesCopied; durationSeconds = $summary.Duration.TotalSeconds }
    }
    $result.copiedFrom = [ordered]@{
        factoryStore = @($results | Where-Object CopiedFrom -eq 'factory store').Count
        replica      = @($results | Where-Object { $_.CopiedFrom -like 'lab *' }).Count
    }
} else {
    $plan = @(Get-LabDistributionPlan @common -ErrorVariable +errors -ErrorAction SilentlyContinue)
    $stopwatch.Stop()
    $result.plan = [ordered]@{
        items   = $plan.Count
        copy    = @($plan | Where-Object { "$($_.Action)" -eq 'Copy' }).Count
        skip    = @($plan | Where-Object { "$($_.Action)" -eq 'Skip' }).Count
        blocked = @($plan | Where-Object { "$($_.Action)" -eq 'Blocked' }).Count
    }
}
$result.startedUtc = $started.ToString('o')
$result.wallSeconds = $stopwatch.Elapsed.TotalSeconds
$result.errors = @($errors | Select-Object -First 10 | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" })
$result.errorCount = @($errors).Count
$result.rssAfterMiB = Get-ProcStatusMiB 'VmRSS'
$result.peakRssMiB = Get-ProcStatusMiB 'VmHWM'
$result.cpuSeconds = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds
$result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
