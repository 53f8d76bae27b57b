# Dot-sourced by every Pester file in BeforeAll. Tests import the ASSEMBLED module (build.ps1 Build output), never
# the projects' bin folders, and start fresh pwsh processes where load order matters.
$script:RepoRoot = if ($env:IMAGEFACTORY_REPO_ROOT) { $env:IMAGEFACTORY_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
$script:ModuleManifest = if ($env:IMAGEFACTORY_MODULE_MANIFEST) { $env:IMAGEFACTORY_MODULE_MANIFEST } else { Join-Path $script:RepoRoot 'out/module/ImageFactory/ImageFactory.psd1' }
$script:ModuleDirectory = Split-Path $script:ModuleManifest
$script:SamplesRoot = Join-Path $script:RepoRoot 'samples'
# The pwsh apphost next to this PowerShell: a scriptblock passed to it runs in a fresh process and its output comes
# back deserialized.
$script:FreshPwsh = Join-Path $PSHOME 'pwsh'

if (-not (Test-Path $script:ModuleManifest)) {
    throw "The assembled module is missing at '$script:ModuleManifest': run ./build.ps1 Build first."
}

function New-TestConfiguration {
    <# Writes a configuration root under $Path: templates (relative path -> OS type or raw JSON) and Labs.json. #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [hashtable] $Templates = @{},
        [string] $LabsJson
    )
    $golden = Join-Path $Path 'GoldenImages'
    $null = New-Item -ItemType Directory -Force -Path $golden
    $reference = Get-Content (Join-Path $script:SamplesRoot 'configuration/GoldenImages/Win2016/Datacenter.json') -Raw
    foreach ($relative in $Templates.Keys) {
        $file = Join-Path $golden $relative
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $file)
        $value = $Templates[$relative]
        $content = if ($value -in 'Windows', 'Linux') { $reference.Replace('"osType": "Windows"', "`"osType`": `"$value`"") } else { $value }
        Set-Content -LiteralPath $file -Value $content -NoNewline
    }
    if ($PSBoundParameters.ContainsKey('LabsJson')) {
        Set-Content -LiteralPath (Join-Path $Path 'Labs.json') -Value $LabsJson -NoNewline
    }
    return $Path
}

function Invoke-WithCtrlC {
    <#
    Runs $Script in another runspace of this process, waits (at most $TimeoutSeconds) until $UnderWay returns
    something, runs $BeforeStop with what it returned and whether the script had already finished, then stops the
    pipeline the way Ctrl+C does (StopProcessing, then the pipeline ends). Returns the final invocation state.
    #>
    param(
        [Parameter(Mandatory)] [scriptblock] $Script,
        [object[]] $ArgumentList = @(),
        [Parameter(Mandatory)] [scriptblock] $UnderWay,
        [scriptblock] $BeforeStop = {},
        [int] $TimeoutSeconds = 60
    )
    $shell = [powershell]::Create()
    try {
        $null = $shell.AddScript($Script)
        foreach ($argument in $ArgumentList) { $null = $shell.AddArgument($argument) }
        $invocation = $shell.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        do {
            Start-Sleep -Milliseconds 100
            $observed = @(& $UnderWay)
        } until ($observed.Count -gt 0 -or [DateTime]::UtcNow -gt $deadline -or $invocation.IsCompleted)
        & $BeforeStop $observed $invocation.IsCompleted
        $shell.Stop()
        $shell.InvocationStateInfo.State
    } finally {
        $shell.Dispose()
    }
}
