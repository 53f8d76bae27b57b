@{
    RootModule           = 'ImageFactory.dll'
    # The one place the version is written: Directory.Build.props reads it for the assemblies, build.ps1 for the package.
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f2c47-7d0e-4e8a-9a51-2f6f3c1d8e64'
    Author               = 'ImageFactory contributors'
    CompanyName          = 'ImageFactory'
    Copyright            = '(c) ImageFactory contributors. MIT licence.'
    Description          = 'Runs an Azure DevTest Labs image factory: saves golden VMs as VHDs, plans and distributes custom images to every subscribed lab, retires old images. Replaces the DevTest Labs image factory sample scripts.'
    # Built for .NET 8 (PowerShell 7.4 LTS and later); CI runs PowerShell 7.6.9. Windows PowerShell 5.1 cannot isolate
    # the Azure SDK assemblies from Az.Accounts' and is not supported.
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ImageFactory.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-LabDistributionPlan'
        'Get-LabFactoryConfiguration'
        'Get-LabGoldenVm'
        'Get-LabVhd'
        'Publish-LabCustomImage'
        'Remove-LabGoldenVm'
        'Remove-LabStaleImage'
        'Save-LabVhd'
        'Test-LabFactoryConfiguration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Azure', 'DevTestLabs', 'ImageFactory', 'CustomImage', 'VHD', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
