<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the ImageFactory module.
.DESCRIPTION
    Tasks (run in the order given):
      Build    assembles the importable module in out/module/ImageFactory: the manifest, the cmdlet assembly at the
               root, the engine and every third-party assembly in Dependencies/, the format file and the help.
      Test     Build, then runs the xunit suites (engine, local Azure) and the Pester suites (which import the
               assembled module in fresh pwsh processes); ends with one line 'N passed, N failed, N skipped'
               and exits non-zero on any failure.
      Package  Build, then writes out/package/ImageFactory.<version>.nupkg (installable with Install-PSResource).
      Demo     Build, then runs the image factory end to end on the local Azure (save, plan, publish).
      Bench    Build, then runs the distribution benchmark on the local Azure and prints its table (it asserts
               nothing; tests never assert times).
      Clean    removes out/.
    Everything the tasks need (Pester, Azurite) is installed by the tasks themselves into out/ and tools/.
.EXAMPLE
    dotnet tool restore && dotnet tool run pwsh -NoProfile -File ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = $PSScriptRoot
$OutRoot = Join-Path $RepoRoot 'out'
$ModuleRoot = Join-Path $OutRoot 'module/ImageFactory'
$ManifestSource = Join-Path $RepoRoot 'ImageFactory.psd1'
$ModuleVersion = (Import-PowerShellDataFile $ManifestSource).ModuleVersion
$PackagesRoot = Join-Path $OutRoot 'packages'
$TestResultsRoot = Join-Path $OutRoot 'test-results'
$PesterManifest = Join-Path $PackagesRoot 'pester/5.7.1/tools/Pester.psd1'
$LocalAzureTls = Join-Path $OutRoot 'localazure/tls'

# This pwsh, to start fresh child processes with (the dotnet tool runs as 'dotnet pwsh.dll').
$PwshCommand = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
    @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
} else {
    @([Environment]::ProcessPath)
}

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [switch] $AllowFailure)
    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor DarkGray
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "'$FilePath $($ArgumentList -join ' ')' exited with code $LASTEXITCODE."
    }
    return $LASTEXITCODE
}

function Invoke-Pwsh {
    param([Parameter(Mandatory)] [string[]] $ArgumentList, [hashtable] $Environment = @{}, [switch] $AllowFailure)
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try {
        $exe, $rest = $PwshCommand
        Invoke-Native -FilePath $exe -ArgumentList (@($rest) + @('-NoProfile', '-NonInteractive') + $ArgumentList) -AllowFailure:$AllowFailure
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

function Install-BuildTools {
    if (-not (Test-Path $PesterManifest)) {
        $null = Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'tools/build/BuildTools.proj'), '--packages', $PackagesRoot, '--nologo', '-v', 'quiet')
    }
}

function Install-Azurite {
    $localAzure = Join-Path $RepoRoot 'tools/LocalAzure'
    if (-not (Test-Path (Join-Path $localAzure 'node_modules/azurite/package.json'))) {
        $null = Invoke-Native npm @('ci', '--prefix', $localAzure, '--no-audit', '--no-fund', '--loglevel', 'error')
    }
}

# The local Azure's CA: clients trust it only when SSL_CERT_FILE/SSL_CERT_DIR name it at process start, so the
# material is made before any test process starts.
function Initialize-LocalAzure {
    Install-Azurite
    $binary = Join-Path $OutRoot 'localazure/bin'
    $null = Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'tools/LocalAzure'), '-c', $Configuration, '-o', $binary, '--nologo', '-v', 'quiet')
    $null = Invoke-Native dotnet @((Join-Path $binary 'LocalAzure.dll'), 'tls', '--dir', $LocalAzureTls)
    return @{
        SSL_CERT_FILE      = Join-Path $LocalAzureTls 'trust-bundle.pem'
        SSL_CERT_DIR       = $LocalAzureTls
        LOCALAZURE_TLS_DIR = $LocalAzureTls
    }
}

function Invoke-Build {
    $staging = Join-Path $OutRoot 'build'
    Remove-Item $ModuleRoot, $staging -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path $ModuleRoot

    # The cmdlet assembly alone at the module root; the engine and all its dependencies (with their deps.json and
    # runtimes/) in Dependencies/, where only the private load context looks.
    $null = Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ImageFactory'), '-c', $Configuration, '-o', (Join-Path $staging 'cmdlets'), '--nologo')
    $null = Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ImageFactory.Engine'), '-c', $Configuration, '-o', (Join-Path $ModuleRoot 'Dependencies'), '--nologo')
    Copy-Item (Join-Path $staging 'cmdlets/ImageFactory.dll') $ModuleRoot
    Copy-Item $ManifestSource $ModuleRoot
    Copy-Item (Join-Path $RepoRoot 'module/ImageFactory.Format.ps1xml') $ModuleRoot
    Copy-Item (Join-Path $RepoRoot 'LICENSE') $ModuleRoot -ErrorAction Ignore

    # Help is generated from module/help/*.psd1 and the cmdlets' real metadata, in a fresh process (it imports the module).
    $null = Invoke-Pwsh -ArgumentList @(
        '-File', (Join-Path $RepoRoot 'tools/build/New-MamlHelp.ps1'),
        '-ModuleManifest', (Join-Path $ModuleRoot 'ImageFactory.psd1'),
        '-HelpSourceDirectory', (Join-Path $RepoRoot 'module/help'),
        '-OutputFile', (Join-Path $ModuleRoot 'en-US/ImageFactory.dll-Help.xml'))
    Remove-Item $staging -Recurse -Force
    Write-Host "Built ImageFactory $ModuleVersion in $ModuleRoot" -ForegroundColor Green
}

function Get-TrxCounts([string] $Directory) {
    $counts = @{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in Get-ChildItem $Directory -Filter *.trx -Recurse -ErrorAction Ignore) {
        [xml] $trx = Get-Content $file.FullName -Raw
        $counters = $trx.TestRun.ResultSummary.Counters
        $counts.Passed += [int] $counters.passed
        $counts.Failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        $counts.Skipped += [int] $counters.notExecuted
    }
    return $counts
}

function Invoke-Test {
    Install-BuildTools
    Remove-Item $TestResultsRoot -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path $TestResultsRoot
    $null = Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'tests/fixtures/StandInAzModule'), '-c', $Configuration, '-o', (Join-Path $OutRoot 'fixtures/StandInAzModule'), '--nologo', '-v', 'quiet')
    $tlsEnvironment = Initialize-LocalAzure

    $failures = [System.Collections.Generic.List[string]]::new()

    # xunit: the engine and the local Azure. Counts come from the TRX files, not from console text.
    $xunitResults = Join-Path $TestResultsRoot 'xunit'
    $saved = @{}
    foreach ($name in $tlsEnvironment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $tlsEnvironment[$name]) }
    try {
        $code = Invoke-Native dotnet @('test', (Join-Path $RepoRoot 'ImageFactory.sln'), '-c', $Configuration, '--nologo',
            '--logger', 'trx', '--logger', 'console;verbosity=minimal', '--results-directory', $xunitResults) -AllowFailure
        if ($code -ne 0) { $failures.Add("dotnet test exited with $code") }
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    $xunit = Get-TrxCounts $xunitResults

    # Pester: in a fresh pwsh; the tests import the assembled module (and start further fresh processes where the
    # import order matters).
    $pesterSummary = Join-Path $TestResultsRoot 'pester-summary.json'
    # The tests run with PowerShell's default ErrorActionPreference (Continue), as users run the cmdlets.
    $pesterScript = @"
Import-Module '$PesterManifest' -ErrorAction Stop
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$(Join-Path $RepoRoot 'tests/Pester')'
`$configuration.Run.PassThru = `$true
`$configuration.Output.Verbosity = 'Detailed'
`$configuration.TestResult.Enabled = `$true
`$configuration.TestResult.OutputPath = '$(Join-Path $TestResultsRoot 'pester.xml')'
`$result = Invoke-Pester -Configuration `$configuration
@{ Passed = `$result.PassedCount; Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount; Skipped = `$result.SkippedCount } | ConvertTo-Json | Set-Content '$pesterSummary'
"@
    $pesterEnvironment = $tlsEnvironment + @{
        IMAGEFACTORY_MODULE_MANIFEST = Join-Path $ModuleRoot 'ImageFactory.psd1'
        IMAGEFACTORY_REPO_ROOT       = $RepoRoot
        IMAGEFACTORY_PACKAGE_DIR     = Join-Path $OutRoot 'package'
    }
    $code = Invoke-Pwsh -ArgumentList @('-Command', $pesterScript) -Environment $pesterEnvironment -AllowFailure
    if ($code -ne 0) { $failures.Add("Pester exited with $code") }
    $pester = if (Test-Path $pesterSummary) { Get-Content $pesterSummary -Raw | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    if ($failures.Count -and $failed -eq 0) {
        # A runner that failed without reporting a failed test (a crash, a build error) still fails the run.
        $failed = $failures.Count
    }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    foreach ($failure in $failures) { Write-Host "  $failure" -ForegroundColor Red }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    $packageDirectory = Join-Path $OutRoot 'package'
    Remove-Item $packageDirectory -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path $packageDirectory
    # Publish-PSResource writes the .nupkg into a registered file repository. It is registered in a throw-away
    # PSResourceGet store (XDG_DATA_HOME and HOME point into out/), so the user's own repositories are never touched.
    $sandbox = Join-Path $OutRoot 'package-sandbox'
    Remove-Item $sandbox -Recurse -Force -ErrorAction Ignore
    # The folders must exist: .NET answers an empty LocalApplicationData for a missing one, and PSResourceGet would
    # then write its store relative to the current directory.
    foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $sandbox $folder) }
    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ImageFactoryBuild -Uri '$packageDirectory' -Trusted
Publish-PSResource -Path '$ModuleRoot' -Repository ImageFactoryBuild -SkipDependenciesCheck
"@
    $null = Invoke-Pwsh -ArgumentList @('-Command', $script) -Environment @{ HOME = $sandbox; XDG_DATA_HOME = (Join-Path $sandbox '.local/share'); XDG_CONFIG_HOME = (Join-Path $sandbox '.config'); XDG_CACHE_HOME = (Join-Path $sandbox '.cache') }
    Remove-Item $sandbox -Recurse -Force -ErrorAction Ignore
    $package = Get-ChildItem $packageDirectory -Filter 'ImageFactory.*.nupkg'
    Write-Host "Packaged $($package.FullName)" -ForegroundColor Green
}

function Invoke-Demo {
    $tlsEnvironment = Initialize-LocalAzure
    $state = Join-Path $OutRoot 'localazure/demo'
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $state 'tls')
    Copy-Item (Join-Path $LocalAzureTls '*') (Join-Path $state 'tls')
    $null = Invoke-Pwsh -Environment $tlsEnvironment -ArgumentList @(
        '-File', (Join-Path $RepoRoot 'tools/demo/Start-Demo.ps1'),
        '-ModuleManifest', (Join-Path $ModuleRoot 'ImageFactory.psd1'),
        '-LocalAzureExecutable', (Join-Path $OutRoot 'localazure/bin/LocalAzure.dll'),
        '-StateDirectory', $state)
}

function Invoke-Bench {
    $tlsEnvironment = Initialize-LocalAzure
    $null = Invoke-Pwsh -Environment $tlsEnvironment -ArgumentList @(
        '-File', (Join-Path $RepoRoot 'bench/Invoke-Benchmark.ps1'),
        '-ModuleManifest', (Join-Path $ModuleRoot 'ImageFactory.psd1'),
        '-RepoRoot', $RepoRoot)
}

foreach ($name in $Task) {
    Write-Host "=== $name ===" -ForegroundColor Cyan
    switch ($name) {
        'Clean' { Remove-Item $OutRoot -Recurse -Force -ErrorAction Ignore }
        'Build' { Invoke-Build }
        'Test' { Invoke-Build; Invoke-Package; Invoke-Test }
        'Package' { Invoke-Build; Invoke-Package }
        'Demo' { Invoke-Build; Invoke-Demo }
        'Bench' { Invoke-Build; Invoke-Bench }
    }
}
