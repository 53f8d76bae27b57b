# Az.Accounts brings its own Azure.Core, Azure.Identity and MSAL into the default load context. These tests load a
# stand-in module built on a DIFFERENT Azure.Core (1.44.1) into the same session as ImageFactory, in both orders,
# each in a fresh pwsh process, and run cmdlet paths that execute Azure.Core code in both modules.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:StandIn = Join-Path $RepoRoot 'out/fixtures/StandInAzModule/StandInAzModule.psd1'
    if (-not (Test-Path $StandIn)) { throw "The stand-in module is missing at '$StandIn': build.ps1 Test publishes it." }
    $script:Sample = Join-Path $SamplesRoot 'configuration'

    $script:Probe = {
        param([string] $First, [string] $Second, [string] $Configuration, [string] $StandInName)
        $ErrorActionPreference = 'Stop'
        $runStandIn = { Get-StandInAzureCore }
        $runImageFactory = { (Get-LabFactoryConfiguration -ConfigurationLocation $Configuration).Labs[0].ResourceId }
        Import-Module $First
        $firstResult = if ((Split-Path $First -Leaf) -like "$StandInName*") { & $runStandIn } else { & $runImageFactory }
        Import-Module $Second
        $standInResult = & $runStandIn
        $labResourceId = & $runImageFactory
        $versionsIn = {
            param($context)
            @($context.Assemblies | Where-Object { $_.GetName().Name -eq 'Azure.Core' } | ForEach-Object { $_.GetName().Version.ToString() })
        }
        $engineContext = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'ImageFactory'
        [pscustomobject]@{
            FirstResult         = $firstResult
            StandInAzureCore    = $standInResult.AzureCoreVersion
            StandInContext      = $standInResult.LoadContext
            LabResourceId       = $labResourceId
            EngineAzureCore     = & $versionsIn $engineContext
            DefaultAzureCore    = & $versionsIn ([System.Runtime.Loader.AssemblyLoadContext]::Default)
            EngineContextExists = $null -ne $engineContext
        }
    }
}

Describe 'Dependency isolation from other Azure modules' {
    It 'works when the other module (Azure.Core 1.44.1) is imported first' {
        $result = & $FreshPwsh -NoProfile -NonInteractive $Probe -args $StandIn, $ModuleManifest, $Sample, 'StandInAzModule'

        $result.FirstResult.AzureCoreVersion | Should -Be '1.44.1.0'
        $result.StandInAzureCore | Should -Be '1.44.1.0'
        $result.StandInContext | Should -Be 'Default'
        $result.LabResourceId | Should -Be '/subscriptions/8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01/resourceGroups/rg-contoso-dev/providers/Microsoft.DevTestLab/labs/Contoso-Dev-Lab'
        $result.EngineContextExists | Should -BeTrue
        $result.EngineAzureCore | Should -Be @('1.64.0.0')
        $result.DefaultAzureCore | Should -Be @('1.44.1.0')
    }

    It 'works when ImageFactory is imported first' {
        $result = & $FreshPwsh -NoProfile -NonInteractive $Probe -args $ModuleManifest, $StandIn, $Sample, 'StandInAzModule'

        $result.FirstResult | Should -Be '/subscriptions/8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01/resourceGroups/rg-contoso-dev/providers/Microsoft.DevTestLab/labs/Contoso-Dev-Lab'
        $result.StandInAzureCore | Should -Be '1.44.1.0'
        $result.StandInContext | Should -Be 'Default'
        $result.LabResourceId | Should -Be $result.FirstResult
        $result.EngineAzureCore | Should -Be @('1.64.0.0')
        $result.DefaultAzureCore | Should -Be @('1.44.1.0')
    }

    It 'survives Remove-Module and a second Import-Module in one session' {
        $result = & $FreshPwsh -NoProfile -NonInteractive {
            param($Manifest, $Configuration)
            $ErrorActionPreference = 'Stop'
            Import-Module $Manifest
            $first = (Get-LabFactoryConfiguration $Configuration).Labs.Count
            Remove-Module ImageFactory
            Import-Module $Manifest
            $second = (Get-LabFactoryConfiguration $Configuration).Labs.Count
            [pscustomobject]@{
                First    = $first
                Second   = $second
                Contexts = @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'ImageFactory').Count
            }
        } -args $ModuleManifest, $Sample

        $result.First | Should -Be 3
        $result.Second | Should -Be 3
        $result.Contexts | Should -Be 1
    }
}
