<#
.SYNOPSIS
    The image factory end to end on the local Azure: check the configuration, save the golden VMs as VHDs, plan and
    distribute the images to every subscribed lab, retire old images and clean up the factory lab.
.DESCRIPTION
    Run by `./build.ps1 Demo` in a fresh pwsh that trusts the local Azure's CA (SSL_CERT_FILE/SSL_CERT_DIR are read at
    process start). The world (samples/worlds/reference.json) is seeded from the DevTest Labs image factory sample's
    configuration: a factory lab with one deallocated golden VM per template, and target labs in two subscriptions
    (one in another region, one the principal cannot access). samples/demo-configuration holds the same golden
    images with a Labs.json naming those labs.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $LocalAzureExecutable,
    [Parameter(Mandatory)] [string] $StateDirectory
)

$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$samples = Join-Path $repo 'samples'
Import-Module $ModuleManifest
Import-Module (Join-Path $repo 'tools/LocalAzure/LocalAzure.psm1')

function Write-Step([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }
# Tables at a readable width whatever the console (a build log has none).
function Show { param([Parameter(ValueFromPipeline)] $InputObject) end { $input | Format-Table -AutoSize | Out-String -Width 240 | Write-Host } }

Write-Step 'Checking the original sample''s configuration (samples/reference-configuration)'
Test-LabFactoryConfiguration -ConfigurationLocation (Join-Path $samples 'reference-configuration') | Show
Write-Host 'Those are the sample''s placeholders. The demo uses the same golden images with real lab names:'

$configuration = Join-Path $samples 'demo-configuration'
Write-Step 'Checking the demo configuration (samples/demo-configuration)'
if (-not (Test-LabFactoryConfiguration -ConfigurationLocation $configuration -Quiet)) {
    Test-LabFactoryConfiguration -ConfigurationLocation $configuration | Show
    throw 'The demo configuration has errors.'
}
(Get-LabFactoryConfiguration -ConfigurationLocation $configuration).Labs | Show

Write-Step 'Starting the local Azure (samples/worlds/reference.json)'
$azure = Start-LocalAzure -World (Join-Path $samples 'worlds/reference.json') -StateDirectory $StateDirectory -Executable $LocalAzureExecutable
try {
    Write-Host "Resource Manager at $($azure.armEndpoint), ready in $($azure.startupSeconds) s."
    # Point the session at it the way a custom cloud is configured: endpoint, authority, and the service principal
    # through Azure.Identity's environment variables.
    $env:IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT = $azure.armEndpoint
    foreach ($name in 'AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET') {
        Set-Item "env:$name" $azure.Environment[$name]
    }
    $factory = @{ SubscriptionId = '6f1c2a7e-3b9d-4e51-9c0a-2d7f8e4b1a63'; DevTestLabName = 'ImageFactory' }

    Write-Step 'Golden VMs of the factory lab'
    Get-LabGoldenVm @factory | Show

    Write-Step 'Save-LabVhd: saving the golden VMs as generalized VHDs'
    Save-LabVhd @factory -MaxConcurrentJobs 3 | Show
    Get-LabVhd @factory -Latest | Show

    Write-Step 'Get-LabDistributionPlan: which images go where'
    Get-LabDistributionPlan @factory -ConfigurationLocation $configuration -WarningAction SilentlyContinue | Show

    Write-Step 'Publish-LabCustomImage: distributing, as the original build task did (-MaxConcurrentJobs 20)'
    $results = Publish-LabCustomImage @factory -ConfigurationLocation $configuration -MaxConcurrentJobs 20
    $results | Select-Object -SkipLast 1 | Show
    Write-Host 'Summary:'
    $results | Select-Object -Last 1 | Show

    Write-Step 'Remove-LabStaleImage: keeping the newest image of each ImagePath in the store and in every lab'
    # Finance-Lab is out of reach for this principal: that lab is reported as an error and left alone, the rest goes on.
    Remove-LabStaleImage @factory -ConfigurationLocation $configuration -ImagesToSave 1 -Confirm:$false -WarningAction SilentlyContinue `
        -ErrorAction SilentlyContinue -ErrorVariable retentionErrors | Show
    $retentionErrors | ForEach-Object { Write-Host "Reported, as expected: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" -ForegroundColor DarkYellow }

    Write-Step 'Remove-LabGoldenVm: deleting the golden VMs whose VHDs are saved'
    Remove-LabGoldenVm @factory -Confirm:$false | Show

    $summary = Invoke-LocalAzureAdmin $azure GET requests/summary
    Write-Step 'Resource Manager requests per subscription (reads, writes, throttled, failed)'
    $summary.PSObject.Properties | ForEach-Object {
        [pscustomobject]@{ Subscription = $_.Name; Reads = $_.Value.reads; Writes = $_.Value.writes; Throttled = $_.Value.throttled; Failed = $_.Value.failed }
    } | Format-Table | Show
} finally {
    Stop-LocalAzure $azure
}
