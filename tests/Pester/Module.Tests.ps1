BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:Module = Import-Module $ModuleManifest -Force -PassThru
    $script:SourceManifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'ImageFactory.psd1')
    $script:BuiltManifest = Import-PowerShellDataFile $ModuleManifest
}

Describe 'The assembled module' {
    It 'lists its cmdlets explicitly and exports exactly those' {
        $BuiltManifest.CmdletsToExport | Should -Not -Contain '*'
        @($Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($BuiltManifest.CmdletsToExport | Sort-Object)
        (Get-Module -ListAvailable $ModuleManifest).ExportedCmdlets.Count | Should -Be $BuiltManifest.CmdletsToExport.Count
    }

    It 'carries the one version: source manifest, built manifest and assemblies agree' {
        $BuiltManifest.ModuleVersion | Should -Be $SourceManifest.ModuleVersion
        $Module.Version.ToString() | Should -Be $SourceManifest.ModuleVersion
        $cmdletAssembly = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModuleDirectory 'ImageFactory.dll'))
        $engineAssembly = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModuleDirectory 'Dependencies/ImageFactory.Engine.dll'))
        $cmdletAssembly.Version.ToString(3) | Should -Be $SourceManifest.ModuleVersion
        $engineAssembly.Version.ToString(3) | Should -Be $SourceManifest.ModuleVersion
    }

    It 'declares the editions and PowerShell version it is built for' {
        $BuiltManifest.CompatiblePSEditions | Should -Be @('Core')
        [version] $BuiltManifest.PowerShellVersion | Should -BeLessOrEqual $PSVersionTable.PSVersion
    }

    It 'keeps the cmdlet assembly alone at the root and every dependency in Dependencies/' {
        @(Get-ChildItem $ModuleDirectory -Filter *.dll).Name | Should -Be @('ImageFactory.dll')
        foreach ($name in 'ImageFactory.Engine.dll', 'Azure.Core.dll', 'Azure.Identity.dll', 'Azure.ResourceManager.dll', 'Azure.Storage.Blobs.dll', 'Microsoft.Identity.Client.dll', 'ImageFactory.Engine.deps.json') {
            Join-Path $ModuleDirectory "Dependencies/$name" | Should -Exist
        }
    }
}

BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $script:CmdletNames = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}

Describe 'Help, format views and change log for every cmdlet' -ForEach $CmdletNames {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Command = Get-Command $Name
    }

    It '<Name> has a synopsis and a description' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -Match "^\s*$Name\s*\["  # the auto-generated syntax stub means no help was found
        ($Help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It '<Name> describes each of its parameters' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($parameter in ($Command.Parameters.Keys | Where-Object { $_ -notin $common })) {
            $entry = $Help.parameters.parameter | Where-Object name -eq $parameter
            ($entry.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It '<Name> has at least one example that parses' {
        @($Help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($example in $Help.examples.example) {
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty
            $example.code | Should -Match ([regex]::Escape($Name))
        }
    }

    It '<Name> has a default view for each type it outputs' {
        foreach ($type in $Command.OutputType.Name | Where-Object { $_ -like 'ImageFactory.*' }) {
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a format view"
        }
    }

    It '<Name> is in CHANGELOG.md' {
        Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') -Raw | Should -Match ([regex]::Escape($Name))
    }
}
