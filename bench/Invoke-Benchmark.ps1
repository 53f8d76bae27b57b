<#
.SYNOPSIS
    Distribution benchmark of ImageFactory on the local Azure (modelled sizes and times). Prints one table and writes
    it to out/bench/results.json. It measures and prints; it asserts nothing.
.DESCRIPTION
    Run by `./build.ps1 Bench` in a fresh pwsh (TLS trust variables set at start), or by hand:

        SSL_CERT_FILE=$PWD/out/localazure/tls/trust-bundle.pem SSL_CERT_DIR=$PWD/out/localazure/tls \
          dotnet tool run pwsh -NoProfile -File bench/Invoke-Benchmark.ps1 \
          -ModuleManifest $PWD/out/module/ImageFactory/ImageFactory.psd1 -RepoRoot $PWD

    Needs the assembled module (build.ps1 Build) and the published emulator with its TLS material
    (build.ps1's Initialize-LocalAzure: out/localazure/bin, out/localazure/tls).

    Scenarios, each on a fresh local Azure started from a generated world (bench/BenchmarkData.ps1 writes worlds
    and configurations into out/bench), each measured call in its own pwsh process:
      1. 1 image (127 GiB modelled page blob) to 32 labs, -MaxConcurrentJobs 32: replica-assisted fan-out, then
         single-source (-NoReplicaSource), each against the ceil(log2 33)-round bound.
      2. 20 images to 50 labs, -MaxConcurrentJobs 20: makespan against the ideal schedule bound; peak memory of
         that pwsh process (VmHWM from /proc, and VmRSS sampled by this script).
      3. Get-LabDistributionPlan for 50 labs x 20 images when every lab already holds every image: ARM reads and
         writes from the emulator's request log, next to the original DistributeImages.ps1's count for that input.

    Makespans are in MODELLED time, from the emulator's own timestamps (GET /_localazure/state): from the start of
    the first copy into a lab to the end of the last custom image creation (the long-running operation's modelled
    end). The call's wall time converted with the time scale is printed next to it (it also counts planning, the
    client's polling delays and process overheads).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $RepoRoot,
    # Real milliseconds per modelled minute. 50 (the emulator's default): a 127 GiB copy at 60 MiB/s (36.1 modelled
    # minutes) lasts 1.8 s real, the whole benchmark about 4 minutes on 2 cores.
    [double] $RealMillisecondsPerModelledMinute = 50,
    # Modelled duration of a custom image creation from a VHD (DevTest Labs: several minutes; emulator default).
    [TimeSpan] $CustomImageFromVhd = '00:08:00',
    # Wall-clock limit for any one measured call; the child process is killed beyond it.
    [int] $RunTimeoutSeconds = 900
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
$benchStarted = [Diagnostics.Stopwatch]::StartNew()

$RepoRoot = (Resolve-Path $RepoRoot).Path
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
$OutDirectory = Join-Path $RepoRoot 'out/bench'
$LocalAzureBinary = Join-Path $RepoRoot 'out/localazure/bin/LocalAzure.dll'
$LocalAzureTls = Join-Path $RepoRoot 'out/localazure/tls'
$ChildScript = Join-Path $PSScriptRoot 'Invoke-BenchmarkRun.ps1'
foreach ($required in $LocalAzureBinary, (Join-Path $LocalAzureTls 'trust-bundle.pem')) {
    if (-not (Test-Path -LiteralPath $required)) { throw "'$required' is missing: run ./build.ps1 Bench (or Initialize-LocalAzure from build.ps1) first." }
}

. (Join-Path $PSScriptRoot 'BenchmarkData.ps1')
Import-Module (Join-Path $RepoRoot 'tools/LocalAzure/LocalAzure.psm1') -Prefix Bench -Force

# This pwsh, to start the measured processes with (the dotnet tool runs as 'dotnet pwsh.dll').
$PwshCommand = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
    @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
} else {
    @([Environment]::ProcessPath)
}

$Invariant = [cultureinfo]::InvariantCulture
function Write-Step([string] $Text) { Write-Host ("[{0,6:0.0} s] {1}" -f $benchStarted.Elapsed.TotalSeconds, $Text) -ForegroundColor Cyan }

# ---------------------------------------------------------------------------------------------------------------
# Local Azure and measured processes
# ---------------------------------------------------------------------------------------------------------------

function Start-BenchAzure([string] $Name, [string] $World) {
    $state = Join-Path $OutDirectory "state/$Name"
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $state 'tls')
    # Reuse the CA the measured processes trust (trust is read when a process starts).
    Copy-Item (Join-Path $LocalAzureTls '*') (Join-Path $state 'tls')
    Start-BenchLocalAzure -World $World -StateDirectory $state -Executable $LocalAzureBinary -TimeoutSeconds 60
}

function Invoke-BenchAdmin($Azure, [string] $Method, [string] $Path) {
    # Raw JSON with dates kept as offsets (Invoke-RestMethod would turn them into local DateTime values).
    $response = Invoke-WebRequest -Method $Method -Uri "$($Azure.armEndpoint)_localazure/$Path" -SkipCertificateCheck `
        -Headers @{ $Azure.adminKeyHeader = $Azure.adminKey } -TimeoutSec 120
    if ($response.Content) { $response.Content | ConvertFrom-Json -Depth 64 -DateKind Offset }
}

function Get-MachineCpu {
    <# Jiffies of all CPUs from /proc/stat: total and idle (idle + iowait), to tell whether a run was CPU-bound. #>
    if (-not (Test-Path '/proc/stat')) { return $null }
    $fields = @((Get-Content '/proc/stat' -TotalCount 1) -split '\s+' | Select-Object -Skip 1 | Where-Object { $_ } | ForEach-Object { [double] $_ })
    [pscustomobject]@{ Total = ($fields | Measure-Object -Sum).Sum; Idle = $fields[3] + $fields[4] }
}

function Invoke-BenchChild {
    <# Runs Invoke-BenchmarkRun.ps1 in a new pwsh pointed at $Azure; samples its VmRSS; returns its result object. #>
    param($Azure, [string] $Name, [hashtable] $Parameters)
    $resultPath = Join-Path $OutDirectory "runs/$Name.json"
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $resultPath)
    Remove-Item -LiteralPath $resultPath -ErrorAction Ignore

    $exe, $rest = $PwshCommand
    $start = [Diagnostics.ProcessStartInfo]::new($exe)
    foreach ($argument in @($rest) + @('-NoProfile', '-NonInteractive', '-File', $ChildScript, '-ModuleManifest', $ModuleManifest, '-ResultPath', $resultPath)) {
        $start.ArgumentList.Add($argument)
    }
    foreach ($key in $Parameters.Keys) {
        $value = $Parameters[$key]
        if ($value -is [switch] -or $value -is [bool]) {
            if ($value) { $start.ArgumentList.Add("-$key") }
        } else {
            $start.ArgumentList.Add("-$key"); $start.ArgumentList.Add([string] $value)
        }
    }
    $start.UseShellExecute = $false
    # The local Azure's trust and sign-in: the instance's CA (a copy of out/localazure/tls), endpoint, authority and
    # its demo principal through Azure.Identity's environment variables.
    $start.Environment['SSL_CERT_FILE'] = $Azure.Environment['SSL_CERT_FILE']
    $start.Environment['SSL_CERT_DIR'] = $Azure.Environment['SSL_CERT_DIR']
    $start.Environment['IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT'] = $Azure.armEndpoint
    foreach ($variable in 'AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET') {
        $start.Environment[$variable] = $Azure.Environment[$variable]
    }

    $cpuBefore = Get-MachineCpu
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($start)
    $status = "/proc/$($process.Id)/status"
    $maxRss = 0.0
    $samples = 0
    $timedOut = $false
    try {
        while (-not $process.WaitForExit(200)) {
            try {
                $line = Select-String -LiteralPath $status -Pattern '^VmRSS:\s+(\d+)\s+kB' -ErrorAction Stop | Select-Object -First 1
                if ($line) { $maxRss = [math]::Max($maxRss, [double] $line.Matches[0].Groups[1].Value / 1024); $samples++ }
            } catch {
                # The process ended between the check and the read.
            }
            if ($clock.Elapsed.TotalSeconds -gt $RunTimeoutSeconds) {
                $timedOut = $true
                $process.Kill($true)
                $null = $process.WaitForExit(10000)
                break
            }
        }
        $process.WaitForExit()
    } finally {
        if (-not $process.HasExited) { $process.Kill($true) }
    }
    $clock.Stop()
    $cpuAfter = Get-MachineCpu
    if ($timedOut) { throw "Run '$Name' did not end within $RunTimeoutSeconds s; it was killed." }
    if (-not (Test-Path -LiteralPath $resultPath)) { throw "Run '$Name' wrote no result (exit code $($process.ExitCode))." }
    $result = Get-Content -Raw -LiteralPath $resultPath | ConvertFrom-Json -DateKind Offset
    $result | Add-Member -NotePropertyName processWallSeconds -NotePropertyValue $clock.Elapsed.TotalSeconds
    $result | Add-Member -NotePropertyName sampledMaxRssMiB -NotePropertyValue ([math]::Round($maxRss, 1))
    $result | Add-Member -NotePropertyName rssSamples -NotePropertyValue $samples
    $busy = if ($cpuBefore -and $cpuAfter) { [math]::Round(100 * (1 - ($cpuAfter.Idle - $cpuBefore.Idle) / [math]::Max(1, $cpuAfter.Total - $cpuBefore.Total)), 1) }
    $result | Add-Member -NotePropertyName machineCpuBusyPercent -NotePropertyValue $busy
    $result
}

function Get-Makespan($State) {
    <# Modelled makespan from the emulator's timestamps: first copy into a lab -> last custom image ready. #>
    $copies = @($State.copies | Where-Object destinationContainer -eq 'imagefactory-staging')
    $creations = @($State.operations | Where-Object { $_.operation -like '*customimages/write' })
    $succeeded = @($creations | Where-Object status -eq 'Succeeded')
    $first = ($copies | ForEach-Object { [DateTimeOffset] $_.startTime } | Measure-Object -Minimum).Minimum
    $lastCopy = ($copies | Where-Object endTime | ForEach-Object { [DateTimeOffset] $_.endTime } | Measure-Object -Maximum).Maximum
    $lastImage = ($succeeded | Where-Object endTime | ForEach-Object { [DateTimeOffset] $_.endTime } | Measure-Object -Maximum).Maximum
    [pscustomobject]@{
        Copies               = $copies.Count
        CopiesSucceeded      = @($copies | Where-Object status -eq 'Success').Count
        CopiesFromStore      = @($copies | Where-Object sourceContainer -eq 'imagefactoryvhds').Count
        CopiesFromReplica    = @($copies | Where-Object sourceContainer -eq 'imagefactory-staging').Count
        ImagesCreated        = $succeeded.Count
        CopyPhaseMinutes     = if ($first -and $lastCopy) { ($lastCopy - $first).TotalMinutes } else { $null }
        MakespanMinutes      = if ($first -and $lastImage) { ($lastImage - $first).TotalMinutes } else { $null }
        MeanCopyMinutes      = if ($copies.Count) { ($copies | Where-Object endTime | ForEach-Object { ([DateTimeOffset] $_.endTime - [DateTimeOffset] $_.startTime).TotalMinutes } | Measure-Object -Average).Average } else { $null }
    }
}

function Get-CopyNoticeLag($State, $BlobLog) {
    <#
    How long after a copy ended (emulator) the publisher's next copy-state poll of that blob came: the time its
    concurrency slot stayed held by a finished copy. From the blob request log (modelled timestamps).
    #>
    $polls = @{}
    foreach ($entry in $BlobLog) {
        if ($entry.method -in 'GET', 'HEAD' -and $entry.path -like '*/imagefactory-staging/*') {
            $key = $entry.path.ToLowerInvariant()
            if (-not $polls.ContainsKey($key)) { $polls[$key] = [Collections.Generic.List[DateTimeOffset]]::new() }
            $polls[$key].Add([DateTimeOffset] $entry.time)
        }
    }
    $lags = foreach ($copy in @($State.copies | Where-Object { $_.destinationContainer -eq 'imagefactory-staging' -and $_.endTime })) {
        $key = "/$($copy.destinationAccount)/$($copy.destinationContainer)/$($copy.destinationBlob)".ToLowerInvariant()
        $end = [DateTimeOffset] $copy.endTime
        if ($polls.ContainsKey($key)) {
            $after = @($polls[$key] | Where-Object { $_ -ge $end } | Sort-Object)
            if ($after.Count) { ($after[0] - $end).TotalMinutes }
        }
    }
    $lags = @($lags)
    if ($lags.Count -eq 0) { return $null }
    $stats = $lags | Measure-Object -Average -Maximum -Sum
    [pscustomobject]@{ Copies = $lags.Count; MeanMinutes = $stats.Average; MaxMinutes = $stats.Maximum; SumMinutes = $stats.Sum }
}

function Get-SlotUse($State, [int] $Jobs, $MakespanMinutes, $Lag) {
    <# Share of J slots x makespan spent copying (emulator copy durations) or creating images (LRO durations). #>
    if (-not $MakespanMinutes) { return $null }
    $copying = ($State.copies | Where-Object { $_.destinationContainer -eq 'imagefactory-staging' -and $_.endTime } |
        ForEach-Object { ([DateTimeOffset] $_.endTime - [DateTimeOffset] $_.startTime).TotalMinutes } | Measure-Object -Sum).Sum
    $creating = ($State.operations | Where-Object { $_.operation -like '*customimages/write' -and $_.endTime } |
        ForEach-Object { ([DateTimeOffset] $_.endTime - [DateTimeOffset] $_.startTime).TotalMinutes } | Measure-Object -Sum).Sum
    [pscustomobject]@{
        CopyingPercent          = 100 * $copying / ($Jobs * $MakespanMinutes)
        CreatingPercent         = 100 * $creating / ($Jobs * $MakespanMinutes)
        HeldAfterCopyPercent    = if ($Lag) { 100 * $Lag.SumMinutes / ($Jobs * $MakespanMinutes) } else { $null }
    }
}

function Invoke-PublishScenario {
    param([string] $Name, [string] $World, [string] $Configuration, [int] $MaxConcurrentJobs, [switch] $NoReplicaSource)
    Write-Step "$Name : starting the local Azure"
    $azure = Start-BenchAzure -Name $Name -World $World
    try {
        Write-Step "$Name : Publish-LabCustomImage -MaxConcurrentJobs $MaxConcurrentJobs$(if ($NoReplicaSource) { ' -NoReplicaSource' })"
        $run = Invoke-BenchChild -Azure $azure -Name $Name -Parameters @{
            Mode = 'Publish'; ConfigurationLocation = $Configuration; SubscriptionId = $BenchSubscriptionId; DevTestLabName = $BenchFactoryLab
            MaxConcurrentJobs = $MaxConcurrentJobs; NoReplicaSource = [bool] $NoReplicaSource
        }
        $state = Invoke-BenchAdmin $azure GET state
        $blobLog = @((Invoke-BenchAdmin $azure GET 'requests?service=blob').entries)
        $state | ConvertTo-Json -Depth 12 -Compress | Set-Content -LiteralPath (Join-Path $OutDirectory "runs/$Name-state.json") -Encoding utf8NoBOM
        $makespan = Get-Makespan $state
        $lag = Get-CopyNoticeLag $state $blobLog
        $slots = Get-SlotUse $state $MaxConcurrentJobs $makespan.MakespanMinutes $lag
        Write-Step ("$Name : done in {0:0.0} s wall; {1} copies, {2} images, makespan {3:0.0} modelled min" -f $run.wallSeconds, $makespan.Copies, $makespan.ImagesCreated, $makespan.MakespanMinutes)
        if ($run.errorCount) { Write-Warning "$Name : $($run.errorCount) error(s): $($run.errors -join '; ')" }
        [pscustomobject]@{ Run = $run; Makespan = $makespan; NoticeLag = $lag; SlotUse = $slots; WallModelledMinutes = $run.wallSeconds * 1000 / $RealMillisecondsPerModelledMinute }
    } finally {
        Stop-BenchLocalAzure $azure
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Generated input
# ---------------------------------------------------------------------------------------------------------------

Write-Step "Generating worlds and configurations into $OutDirectory"
$null = New-Item -ItemType Directory -Force -Path $OutDirectory
$worldParameters = @{ RealMillisecondsPerModelledMinute = $RealMillisecondsPerModelledMinute; CustomImageFromVhd = $CustomImageFromVhd.ToString('hh\:mm\:ss') }
$world1 = New-BenchWorld -Path (Join-Path $OutDirectory 'worlds/one-image-32-labs.json') -Labs 32 -Images 1 @worldParameters
$config1 = New-BenchConfiguration -Path (Join-Path $OutDirectory 'configs/one-image-32-labs') -Labs 32 -Images 1
$world2 = New-BenchWorld -Path (Join-Path $OutDirectory 'worlds/20-images-50-labs.json') -Labs 50 -Images 20 @worldParameters
$config2 = New-BenchConfiguration -Path (Join-Path $OutDirectory 'configs/20-images-50-labs') -Labs 50 -Images 20
$world3 = New-BenchWorld -Path (Join-Path $OutDirectory 'worlds/20-images-50-labs-all-present.json') -Labs 50 -Images 20 -SeedImagesInTargets @worldParameters

# ---------------------------------------------------------------------------------------------------------------
# Bounds (modelled minutes)
# ---------------------------------------------------------------------------------------------------------------

$sizeGiB = 127
$pageBlobMiBps = 60
$T = $sizeGiB * 1024 / $pageBlobMiBps / 60          # one copy of one VHD at the page blob's 60 MiB/s
$C = $CustomImageFromVhd.TotalMinutes                 # one custom image creation (modelled LRO)
$rounds1 = [math]::Ceiling([math]::Log(33, 2))        # 32 labs + the store hold it after ceil(log2 33) rounds
$bound1 = $rounds1 * $T + $C
$labs2 = 50; $images2 = 20; $jobs2 = 20
$pairs2 = $labs2 * $images2
$rounds2 = [math]::Ceiling([math]::Log($labs2 + 1, 2))
$workBound2 = $pairs2 * $T / $jobs2                   # every copy holds one of J slots for at least T
$fanOutBound2 = $rounds2 * $T
$bound2 = [math]::Max($workBound2, $fanOutBound2) + $C
$slotBound2 = [math]::Max($pairs2 * ($T + $C) / $jobs2, $fanOutBound2 + $C)   # the engine also holds a slot while an image is created

# ---------------------------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------------------------

$fanOut = Invoke-PublishScenario -Name '1a-fan-out' -World $world1 -Configuration $config1 -MaxConcurrentJobs 32
$single = Invoke-PublishScenario -Name '1b-single-source' -World $world1 -Configuration $config1 -MaxConcurrentJobs 32 -NoReplicaSource
$many = Invoke-PublishScenario -Name '2-20-images-50-labs' -World $world2 -Configuration $config2 -MaxConcurrentJobs $jobs2

Write-Step '3-plan-nothing-to-copy : starting the local Azure'
$azure3 = Start-BenchAzure -Name '3-plan-nothing-to-copy' -World $world3
try {
    $null = Invoke-BenchAdmin $azure3 DELETE requests
    Write-Step '3-plan-nothing-to-copy : Get-LabDistributionPlan (every lab already holds every image)'
    $planRun = Invoke-BenchChild -Azure $azure3 -Name '3-plan-nothing-to-copy' -Parameters @{
        Mode = 'Plan'; ConfigurationLocation = $config2; SubscriptionId = $BenchSubscriptionId; DevTestLabName = $BenchFactoryLab
    }
    $log = @((Invoke-BenchAdmin $azure3 GET requests).entries)
} finally {
    Stop-BenchLocalAzure $azure3
}
$arm3 = @($log | Where-Object service -eq 'arm')
$armReads3 = @($arm3 | Where-Object { -not $_.isWrite }).Count
$armWrites3 = @($arm3 | Where-Object isWrite).Count
$blob3 = @($log | Where-Object service -eq 'blob').Count
$token3 = @($log | Where-Object service -eq 'token').Count
$armByOperation3 = $arm3 | Group-Object operation | Sort-Object Count -Descending | ForEach-Object { [ordered]@{ operation = $_.Name; count = $_.Count } }
# The original (Azure/azure-devtestlab Scripts/ImageFactory/Scripts/DistributeImages.ps1 with DistributionHelpers.psm1,
# VHD-record version), all labs in the factory's subscription so SelectSubscription makes no call:
#   once:             Find-AzureRmResource labs (1 read) + GetLabStorageInfo(factory): GET lab (1 read) + listKeys (1 write)
#                     + GetImageInfosForLab: Find-AzureRmResource (1 read) + GET lab (1 read) + listKeys (1 write)
#   per (lab, image): Find-AzureRmResource labs (1 read) + Get-AzureRmResource lab (1 read)
#                     + GetLabStorageInfo: GET lab (1 read) + listKeys (1 write) + list customImages (1 read)
#   => reads = 4 + 4 P, writes = 2 + P (P = subscribed pairs), a lower bound (no api-version look-ups, no paging).
$originalReads3 = 4 + 4 * $pairs2
$originalWrites3 = 2 + $pairs2

Write-Step ("3-plan-nothing-to-copy : {0} items ({1} Skip), {2} ARM reads, {3} ARM writes" -f $planRun.plan.items, $planRun.plan.skip, $armReads3, $armWrites3)

# ---------------------------------------------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------------------------------------------

function Format-Minutes($Minutes) { if ($null -eq $Minutes) { 'n/a' } else { '{0:0.0} min ({1:0.00} h)' -f $Minutes, ($Minutes / 60) } }
function Format-SlotUse($Use) { if ($null -eq $Use) { 'n/a' } else { '{0:0}% copying, {1:0}% creating, {2:0}% held by finished copies' -f $Use.CopyingPercent, $Use.CreatingPercent, $Use.HeldAfterCopyPercent } }
function Format-Lag($Lag) { if ($null -eq $Lag) { 'n/a' } else { 'mean {0:0.0} min, max {1:0.0} min' -f $Lag.MeanMinutes, $Lag.MaxMinutes } }
function Format-Ratio($Value, $Bound) { if ($null -eq $Value -or -not $Bound) { 'n/a' } else { '{0:0.00}' -f ($Value / $Bound) } }

$rows = @(
    [pscustomobject]@{
        '#' = '1'; Measure = 'Makespan, 1 image -> 32 labs, fan-out (J=32)'
        ImageFactory = Format-Minutes $fanOut.Makespan.MakespanMinutes
        'Compared with' = 'bound 6T+C = ' + (Format-Minutes $bound1)
        Ratio = Format-Ratio $fanOut.Makespan.MakespanMinutes $bound1
    }
    [pscustomobject]@{
        '#' = '1'; Measure = 'Makespan, 1 image -> 32 labs, single-source (J=32)'
        ImageFactory = Format-Minutes $single.Makespan.MakespanMinutes
        'Compared with' = 'bound 6T+C = ' + (Format-Minutes $bound1)
        Ratio = Format-Ratio $single.Makespan.MakespanMinutes $bound1
    }
    [pscustomobject]@{
        '#' = '1'; Measure = 'Single-source / fan-out makespan'
        ImageFactory = Format-Ratio $single.Makespan.MakespanMinutes $fanOut.Makespan.MakespanMinutes
        'Compared with' = ('32T+C / 6T+C = {0:0.00}' -f ((32 * $T + $C) / $bound1))
        Ratio = ''
    }
    [pscustomobject]@{
        '#' = '2'; Measure = 'Makespan, 20 images -> 50 labs (J=20)'
        ImageFactory = Format-Minutes $many.Makespan.MakespanMinutes
        'Compared with' = 'ideal bound = ' + (Format-Minutes $bound2)
        Ratio = Format-Ratio $many.Makespan.MakespanMinutes $bound2
    }
    [pscustomobject]@{
        '#' = '2'; Measure = 'Same, against the bound with creation slots'
        ImageFactory = Format-Minutes $many.Makespan.MakespanMinutes
        'Compared with' = 'max(N(T+C)/J, 6T+C) = ' + (Format-Minutes $slotBound2)
        Ratio = Format-Ratio $many.Makespan.MakespanMinutes $slotBound2
    }
    [pscustomobject]@{
        '#' = '3'; Measure = 'ARM reads, plan 50 labs x 20 images, all Skip'
        ImageFactory = "$armReads3"
        'Compared with' = "original 4+4P = $originalReads3 (modelled)"
        Ratio = Format-Ratio $armReads3 $originalReads3
    }
    [pscustomobject]@{
        '#' = '3'; Measure = 'ARM writes, same plan'
        ImageFactory = "$armWrites3"
        'Compared with' = "original 2+P = $originalWrites3 (modelled)"
        Ratio = Format-Ratio $armWrites3 $originalWrites3
    }
    [pscustomobject]@{
        '#' = '4'; Measure = 'Peak RSS of the pwsh process during (2)'
        ImageFactory = ('{0:0} MiB' -f $many.Run.peakRssMiB)
        'Compared with' = '20 Start-Job jobs ~2,660 MiB (findings; NOT measured here)'
        Ratio = Format-Ratio $many.Run.peakRssMiB 2660
    }
)

$totalSeconds = $benchStarted.Elapsed.TotalSeconds
Write-Host ''
Write-Host 'ImageFactory distribution benchmark (local Azure, modelled time)' -ForegroundColor Green
Write-Host ("Scale: 1 modelled minute = {0} real ms. T = one 127 GiB copy at 60 MiB/s = {1:0.0} min; C = custom image creation = {2:0.0} min (durations.customImageFromVhd)." -f $RealMillisecondsPerModelledMinute, $T, $C)
Write-Host 'Makespan: emulator timestamps, first copy into a lab -> last custom image ready (modelled).'
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
Write-Host 'Details:'
$details = @(
    ('(1) fan-out: {0} copies ({1} from the store, {2} from lab replicas), copy phase {3:0.0} min, mean copy {4:0.0} min; call wall {5:0.0} s = {6:0.0} modelled min.' -f $fanOut.Makespan.Copies, $fanOut.Makespan.CopiesFromStore, $fanOut.Makespan.CopiesFromReplica, $fanOut.Makespan.CopyPhaseMinutes, $fanOut.Makespan.MeanCopyMinutes, $fanOut.Run.wallSeconds, $fanOut.WallModelledMinutes)
    ('(1) single-source: {0} copies ({1} from the store), copy phase {2:0.0} min, mean copy {3:0.0} min; call wall {4:0.0} s = {5:0.0} modelled min. Both runs at -MaxConcurrentJobs 32.' -f $single.Makespan.Copies, $single.Makespan.CopiesFromStore, $single.Makespan.CopyPhaseMinutes, $single.Makespan.MeanCopyMinutes, $single.Run.wallSeconds, $single.WallModelledMinutes)
    ('(1) bound = ceil(log2 33) = {0} copy rounds of T, plus one creation C: {0} x {1:0.0} + {2:0.0} = {3:0.0} min.' -f $rounds1, $T, $C, $bound1)
    ('(2) {0} of {1} images published ({2} copies: {3} from the store, {4} from replicas), copy phase {5:0.0} min; call wall {6:0.0} s = {7:0.0} modelled min.' -f $many.Run.summary.published, $pairs2, $many.Makespan.Copies, $many.Makespan.CopiesFromStore, $many.Makespan.CopiesFromReplica, $many.Makespan.CopyPhaseMinutes, $many.Run.wallSeconds, $many.WallModelledMinutes)
    ('(2) ideal bound = max(N*T/J, ceil(log2(L+1))*T) + C = max({0}*{1:0.0}/{2}, {3}*{1:0.0}) + {4:0.0} = {5:0.0} min (N = {0} copies, L = {6} labs, J = {2}). Counting the slot the engine also holds during each creation: max(N(T+C)/J, {3}T+C) = {7:0.0} min (ratio {8}).' -f $pairs2, $T, $jobs2, $rounds2, $C, $bound2, $labs2, $slotBound2, (Format-Ratio $many.Makespan.MakespanMinutes $slotBound2))
    ('Slots (J x makespan): (1) fan-out {0}; (1) single-source {1}; (2) {2}. Finished copy -> next poll of it (slot held by a finished copy): (1) fan-out {3}; (1) single-source {4}; (2) {5}.' -f (Format-SlotUse $fanOut.SlotUse), (Format-SlotUse $single.SlotUse), (Format-SlotUse $many.SlotUse), (Format-Lag $fanOut.NoticeLag), (Format-Lag $single.NoticeLag), (Format-Lag $many.NoticeLag))
    ('Machine CPU busy during the measured calls (2 cores, emulator + Azurite + pwsh): fan-out {0}%, single-source {1}%, (2) {2}%; CPU seconds of the measured pwsh: {3:0.0}, {4:0.0}, {5:0.0}.' -f $fanOut.Run.machineCpuBusyPercent, $single.Run.machineCpuBusyPercent, $many.Run.machineCpuBusyPercent, $fanOut.Run.cpuSeconds, $single.Run.cpuSeconds, $many.Run.cpuSeconds)
    ('(3) {0} plan items ({1} Skip, {2} Copy, {3} Blocked); also {4} blob requests and {5} token request(s). ARM by operation: {6}.' -f $planRun.plan.items, $planRun.plan.skip, $planRun.plan.copy, $planRun.plan.blocked, $blob3, $token3, (($armByOperation3 | ForEach-Object { "$($_.operation) $($_.count)" }) -join ', '))
    ('(3) original = DistributeImages.ps1 + DistributionHelpers.psm1 (VHD-record version): per subscribed pair Find-AzureRmResource, GET lab, GET lab + listKeys (GetLabStorageInfo), list customImages = 4 reads + 1 write; once: 4 reads + 2 writes; P = {0} pairs. A lower bound: no api-version look-ups, no paging.' -f $pairs2)
    ('(4) VmHWM of the measured pwsh (whole process, module import included) {0:0} MiB; VmRSS before the call {1:0} MiB, after {2:0} MiB; max of {3} VmRSS samples taken by this script {4:0} MiB. The Start-Job figure (~120 MiB per job process, 20 jobs ~2.66 GB) comes from /work/shared/notes/findings.md, not from this run.' -f $many.Run.peakRssMiB, $many.Run.rssBeforeMiB, $many.Run.rssAfterMiB, $many.Run.rssSamples, $many.Run.sampledMaxRssMiB)
    ('Wall clock: fan-out {0:0.0} s, single-source {1:0.0} s, 20x50 {2:0.0} s, plan {3:0.0} s (measured calls); whole benchmark {4:0.0} s.' -f $fanOut.Run.wallSeconds, $single.Run.wallSeconds, $many.Run.wallSeconds, $planRun.wallSeconds, $totalSeconds)
)
$details | ForEach-Object { Write-Host "  $_" }

$resultsPath = Join-Path $OutDirectory 'results.json'
[ordered]@{
    generatedUtc                      = [DateTimeOffset]::UtcNow.ToString('o')
    realMillisecondsPerModelledMinute = $RealMillisecondsPerModelledMinute
    modelledMinutes                   = [ordered]@{ copyT = $T; creationC = $C; bound1 = $bound1; bound2 = $bound2; slotBound2 = $slotBound2 }
    table                             = $rows
    scenario1                         = [ordered]@{ fanOut = $fanOut; singleSource = $single; rounds = $rounds1 }
    scenario2                         = [ordered]@{ run = $many; labs = $labs2; images = $images2; maxConcurrentJobs = $jobs2; rounds = $rounds2; workBound = $workBound2; fanOutBound = $fanOutBound2 }
    scenario3                         = [ordered]@{ run = $planRun; armReads = $armReads3; armWrites = $armWrites3; blobRequests = $blob3; tokenRequests = $token3; armByOperation = @($armByOperation3); originalReads = $originalReads3; originalWrites = $originalWrites3; originalFormula = 'reads = 4 + 4P, writes = 2 + P' }
    scenario4                         = [ordered]@{ peakRssMiB = $many.Run.peakRssMiB; sampledMaxRssMiB = $many.Run.sampledMaxRssMiB; startJobReferenceMiB = 2660; startJobReferenceMeasuredHere = $false }
    totalWallSeconds                  = $totalSeconds
    details                           = $details
} | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $resultsPath -Encoding utf8NoBOM
Write-Host "Written to $resultsPath"
