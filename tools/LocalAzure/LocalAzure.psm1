# Helpers to run the local Azure from PowerShell (Pester, the demo, benchmarks). See docs/local-azure.md.
Set-StrictMode -Version Latest

$script:ProjectDirectory = $PSScriptRoot

function Start-LocalAzure {
    <#
    .SYNOPSIS
    Starts the local Azure in the background and waits for its ready file.
    .OUTPUTS
    An object with the ready.json fields, Process, StateDirectory and Environment (the variables a NEW process needs
    to use it: TLS trust is read at process start).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $World,
        [Parameter(Mandatory)] [string] $StateDirectory,
        [double] $TimeScale,
        [int] $TimeoutSeconds = 60,
        [switch] $NoBuild,
        # A published LocalAzure.dll (build.ps1 publishes one to out/localazure/bin): starts in about a second
        # instead of going through `dotnet run`.
        [string] $Executable
    )

    $World = [IO.Path]::GetFullPath($World, (Get-Location).ProviderPath)
    $StateDirectory = [IO.Path]::GetFullPath($StateDirectory, (Get-Location).ProviderPath)
    $ready = Join-Path $StateDirectory 'ready.json'
    Remove-Item -LiteralPath $ready -ErrorAction SilentlyContinue
    if ($Executable) {
        $arguments = @([IO.Path]::GetFullPath($Executable, (Get-Location).ProviderPath), 'start', '--world', $World, '--state-dir', $StateDirectory)
    } else {
        $arguments = @('run', '--project', $script:ProjectDirectory)
        if ($NoBuild) { $arguments += '--no-build' }
        $arguments += @('--', 'start', '--world', $World, '--state-dir', $StateDirectory)
    }
    if ($PSBoundParameters.ContainsKey('TimeScale')) { $arguments += @('--time-scale', $TimeScale.ToString([cultureinfo]::InvariantCulture)) }
    New-Item -ItemType Directory -Force -Path $StateDirectory | Out-Null
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -NoNewWindow `
        -RedirectStandardOutput (Join-Path $StateDirectory 'localazure.out.log') `
        -RedirectStandardError (Join-Path $StateDirectory 'localazure.err.log')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path -LiteralPath $ready)) {
        if ($process.HasExited) {
            throw "The local Azure exited with code $($process.ExitCode): $(Get-Content -Raw (Join-Path $StateDirectory 'localazure.err.log'))"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw "The local Azure was not ready within $TimeoutSeconds s (see $StateDirectory/localazure.*.log)."
        }
        Start-Sleep -Milliseconds 100
    }

    $info = Get-Content -Raw -LiteralPath $ready | ConvertFrom-Json
    $environment = [ordered]@{}
    foreach ($line in Get-Content -LiteralPath (Join-Path $StateDirectory 'localazure.env')) {
        if ($line -and $line -notmatch '^#') {
            $name, $value = $line -split '=', 2
            $environment[$name] = $value
        }
    }
    $info | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $info | Add-Member -NotePropertyName StateDirectory -NotePropertyValue $StateDirectory
    $info | Add-Member -NotePropertyName Environment -NotePropertyValue $environment
    $info
}

function Stop-LocalAzure {
    <# .SYNOPSIS Stops a local Azure started by Start-LocalAzure (SIGTERM to the emulator: clean shutdown, Azurite killed). #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $LocalAzure)
    process {
        if (-not $LocalAzure.Process.HasExited) {
            # The emulator's own process (ready.json processId), not `dotnet run`, handles SIGTERM.
            if ($IsLinux -or $IsMacOS) { & kill -TERM $LocalAzure.processId } else { Stop-Process -Id $LocalAzure.processId }
            if (-not $LocalAzure.Process.WaitForExit(15000)) { Stop-Process -Id $LocalAzure.Process.Id -Force }
        }
    }
}

function Invoke-LocalAzureAdmin {
    <#
    .SYNOPSIS
    Calls the admin API (/_localazure/...). The caller usually does not trust the local CA (TLS trust is read at
    process start), so the certificate check is skipped for this loopback call only.
    .EXAMPLE
    Invoke-LocalAzureAdmin $la GET requests/summary
    Invoke-LocalAzureAdmin $la POST faults @{ operation = 'Microsoft.DevTestLab/labs/customimages/write'; kind = 'LongRunningOperationFailed'; nthCall = 1 }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $LocalAzure,
        [Parameter(Mandatory, Position = 1)] [ValidateSet('GET', 'POST', 'DELETE')] [string] $Method,
        [Parameter(Mandatory, Position = 2)] [string] $Path,
        [Parameter(Position = 3)] $Body
    )
    $parameters = @{
        Method = $Method
        Uri = "$($LocalAzure.armEndpoint)_localazure/$($Path.TrimStart('/'))"
        Headers = @{ $LocalAzure.adminKeyHeader = $LocalAzure.adminKey }
        SkipCertificateCheck = $true
    }
    if ($null -ne $Body) {
        $parameters.Body = ($Body | ConvertTo-Json -Depth 10)
        $parameters.ContentType = 'application/json'
    }
    Invoke-RestMethod @parameters
}

Export-ModuleMember -Function Start-LocalAzure, Stop-LocalAzure, Invoke-LocalAzureAdmin
