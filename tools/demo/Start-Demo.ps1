<#
.SYNOPSIS
    The end-to-end demo of the image factory, as far as the module goes today.
.DESCRIPTION
    Run by `./build.ps1 Demo` in a fresh pwsh with the assembled module. Today the factory's first step exists:
    reading and checking its configuration. The sample scripts' own configuration (samples/reference-configuration)
    still holds placeholders, so its problems are shown; then the sample configuration with real-looking labs
    (samples/configuration) is checked and read.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModuleManifest)

$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$samples = Join-Path $PSScriptRoot '../../samples' | Resolve-Path

function Write-Step([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }

Write-Step 'Checking the original sample''s configuration (samples/reference-configuration)'
$referenceFindings = Test-LabFactoryConfiguration -ConfigurationLocation (Join-Path $samples 'reference-configuration')
$referenceFindings | Format-Table -Wrap | Out-Host
Write-Host "The original configuration has $(@($referenceFindings | Where-Object Severity -eq Error).Count) error(s): its placeholders."

Write-Step 'Checking the sample configuration (samples/configuration)'
$sample = Join-Path $samples 'configuration'
if (Test-LabFactoryConfiguration -ConfigurationLocation $sample -Quiet) {
    Write-Host 'No errors.' -ForegroundColor Green
} else {
    Test-LabFactoryConfiguration -ConfigurationLocation $sample | Format-Table -Wrap | Out-Host
    throw 'The sample configuration should have no errors.'
}

Write-Step 'Golden images and the labs that receive them'
$configuration = Get-LabFactoryConfiguration -ConfigurationLocation $sample
$configuration | Out-Host
$configuration.GoldenImages | Out-Host
$configuration.Labs | Out-Host
