# Starts and drives the local Azure (tools/LocalAzure) for module tests. Dot-sourced after TestHelpers.ps1.
# build.ps1 Test publishes the emulator to out/localazure/bin and starts this Pester process with SSL_CERT_FILE and
# SSL_CERT_DIR naming out/localazure/tls, so each instance reuses that CA (trust is only read at process start).
$script:LocalAzureBinary = Join-Path $RepoRoot 'out/localazure/bin/LocalAzure.dll'
$script:LocalAzureTls = Join-Path $RepoRoot 'out/localazure/tls'

Import-Module (Join-Path $RepoRoot 'tools/LocalAzure/LocalAzure.psm1') -Prefix Module -Force

function Start-LocalAzure {
    <# A fresh instance from a world file, on the published emulator, reusing the CA this process trusts. #>
    param([Parameter(Mandatory)] [string] $World, [double] $TimeScale)
    if (-not (Test-Path $LocalAzureBinary)) { throw "The local Azure is not built at '$LocalAzureBinary': run ./build.ps1 Test." }
    $state = Join-Path $RepoRoot "out/localazure/instances/$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $state 'tls')
    Copy-Item (Join-Path $LocalAzureTls '*') (Join-Path $state 'tls')
    $options = @{ World = $World; StateDirectory = $state; Executable = $LocalAzureBinary }
    if ($PSBoundParameters.ContainsKey('TimeScale')) { $options.TimeScale = $TimeScale }
    $instance = Start-ModuleLocalAzure @options
    [pscustomobject]@{
        Instance    = $instance
        State       = $state
        ArmEndpoint = $instance.armEndpoint
        Authority   = $instance.authorityHost
        AdminKey    = $instance.adminKey
        Environment = $instance.Environment
    }
}

function Stop-LocalAzure {
    param([Parameter(Mandatory)] $LocalAzure)
    Stop-ModuleLocalAzure $LocalAzure.Instance
}

function Use-LocalAzure {
    <# Points this session's ImageFactory cmdlets at the instance: endpoint, authority and the CI principal. #>
    param([Parameter(Mandatory)] $LocalAzure)
    $env:IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT = $LocalAzure.ArmEndpoint
    $env:AZURE_AUTHORITY_HOST = $LocalAzure.Authority
    foreach ($name in 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET') {
        Set-Item "env:$name" $LocalAzure.Environment[$name]
    }
}

function Clear-LocalAzureSession {
    foreach ($name in 'IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT', 'AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET') {
        Remove-Item "env:$name" -ErrorAction Ignore
    }
}

function Invoke-LocalAzureAdmin {
    param([Parameter(Mandatory)] $LocalAzure, [Parameter(Mandatory)] [string] $Path, [string] $Method = 'GET', $Body)
    $parameters = @{
        Uri     = ($LocalAzure.ArmEndpoint.TrimEnd('/') + '/_localazure/' + $Path.TrimStart('/'))
        Method  = $Method
        Headers = @{ 'X-LocalAzure-Key' = $LocalAzure.AdminKey }
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $parameters.Body = $Body | ConvertTo-Json -Depth 10
        $parameters.ContentType = 'application/json'
    }
    Invoke-RestMethod @parameters
}

function Get-LocalAzureRequests {
    param([Parameter(Mandatory)] $LocalAzure)
    $result = Invoke-LocalAzureAdmin $LocalAzure 'requests'
    if ($null -eq $result.PSObject.Properties['entries']) { throw "Unexpected request log shape: $($result | ConvertTo-Json -Depth 2 -Compress)" }
    @($result.entries)
}
