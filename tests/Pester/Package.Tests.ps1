# build.ps1 Package writes out/package/ImageFactory.<version>.nupkg. Install it with Install-PSResource from a local
# folder repository, in a fresh pwsh whose HOME and XDG folders point into TestDrive, so nothing of the user's
# PSResourceGet configuration or module folders is touched.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:PackageDirectory = if ($env:IMAGEFACTORY_PACKAGE_DIR) { $env:IMAGEFACTORY_PACKAGE_DIR } else { Join-Path $RepoRoot 'out/package' }
    $script:Version = (Import-PowerShellDataFile (Join-Path $RepoRoot 'ImageFactory.psd1')).ModuleVersion
}

Describe 'The package' {
    It 'is a .nupkg of the current version' {
        Join-Path $PackageDirectory "ImageFactory.$Version.nupkg" | Should -Exist
    }

    It 'installs with Install-PSResource from a local folder repository and runs' {
        $sandbox = Join-Path $TestDrive 'home'
        # The folders must exist: .NET answers an empty LocalApplicationData for a missing one, and PSResourceGet
        # would then write its store relative to the current directory.
        foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $sandbox $folder) }
        $saved = @{}
        $sandboxEnvironment = @{ HOME = $sandbox; XDG_DATA_HOME = "$sandbox/.local/share"; XDG_CONFIG_HOME = "$sandbox/.config"; XDG_CACHE_HOME = "$sandbox/.cache"; PSModulePath = $null }
        foreach ($name in $sandboxEnvironment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $sandboxEnvironment[$name]) }
        try {
            $result = & $FreshPwsh -NoProfile -NonInteractive {
                param($Repository, $Version, $Configuration)
                $ErrorActionPreference = 'Stop'
                Register-PSResourceRepository -Name LocalImageFactory -Uri $Repository -Trusted
                Install-PSResource -Name ImageFactory -Version $Version -Repository LocalImageFactory -Scope CurrentUser -TrustRepository -Quiet
                $installed = Get-Module -ListAvailable ImageFactory
                if (-not $installed) { throw "Installed at $((Get-InstalledPSResource ImageFactory).InstalledLocation) but not found on PSModulePath $env:PSModulePath" }
                Import-Module ImageFactory
                [pscustomobject]@{
                    Path    = $installed.Path
                    Version = $installed.Version.ToString()
                    Labs    = (Get-LabFactoryConfiguration $Configuration).Labs.Count
                }
            } -args $PackageDirectory, $Version, (Join-Path $SamplesRoot 'configuration')
        } finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }

        $result.Version | Should -Be $Version
        $result.Path | Should -BeLike "$sandbox*"
        $result.Labs | Should -Be 3
    }
}
