BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $script:Sample = Join-Path $SamplesRoot 'configuration'
    $script:Reference = Join-Path $SamplesRoot 'reference-configuration'
}

Describe 'Get-LabFactoryConfiguration' {
    It 'reads the sample configuration into typed golden images and labs' {
        $configuration = Get-LabFactoryConfiguration -ConfigurationLocation $Sample

        $configuration.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Configuration.FactoryConfiguration'
        $configuration.GoldenImages.ImagePath | Should -Be @(
            'Ubuntu/Server 22.04.json'
            'Win2012R2/VS2015 Enterprise with Azure SDK.json'
            'Win2016/Datacenter.json'
            'Win2016/SQLServer 2016 Express.json')
        $ubuntu = $configuration.GoldenImages | Where-Object ImagePath -eq 'Ubuntu/Server 22.04.json'
        "$($ubuntu.OsType)" | Should -Be 'Linux'
        $ubuntu.ImageNameStem | Should -Be 'Ubuntu_Server-22_04'
        $ubuntu.Description | Should -Be 'Ubuntu Server 22.04 LTS with the Azure CLI'
        $ubuntu.BaseImage.Publisher | Should -Be 'Canonical'
        $ubuntu.TemplatePath | Should -Be (Join-Path $Sample 'GoldenImages/Ubuntu/Server 22.04.json')
        $configuration.GoldenImages.VmName | ForEach-Object { $_.Length | Should -BeLessOrEqual 15 }
        ($configuration.GoldenImages.VmName | Sort-Object -Unique).Count | Should -Be 4
    }

    It 'resolves folder ImagePaths segment-wise and keeps the lab''s identity' {
        $configuration = Get-LabFactoryConfiguration $Sample
        $dev = $configuration.Labs | Where-Object LabName -eq 'Contoso-Dev-Lab'
        $dev.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Configuration.LabTarget'
        $dev.SubscriptionId | Should -Be '8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01'
        $dev.ResourceGroup | Should -Be 'rg-contoso-dev'
        $dev.ResourceId | Should -Be '/subscriptions/8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01/resourceGroups/rg-contoso-dev/providers/Microsoft.DevTestLab/labs/Contoso-Dev-Lab'
        $dev.GoldenImages.ImagePath | Should -Be @(
            'Win2012R2/VS2015 Enterprise with Azure SDK.json'
            'Win2016/Datacenter.json'
            'Win2016/SQLServer 2016 Express.json')
        ($configuration.Labs | Where-Object LabName -eq 'Contoso-Test-Lab').ResourceGroup | Should -BeNullOrEmpty
    }

    It 'accepts the folder from the pipeline (Get-Item, by PSPath) and relative paths' {
        (Get-Item $Sample | Get-LabFactoryConfiguration).Labs.Count | Should -Be 3
        Push-Location $SamplesRoot
        try { (Get-LabFactoryConfiguration ./configuration).Root | Should -Be $Sample } finally { Pop-Location }
    }

    It 'stops with a precise error id, the file as target and a message naming file, field and value' {
        $root = New-TestConfiguration -Path (Join-Path $TestDrive 'bad-subscription') -Templates @{ 'Win/A.json' = 'Windows' } -LabsJson '{"Labs":[{"SubscriptionId":"not-a-guid","LabName":"Lab1","ImagePaths":["Win"]}]}'
        $failure = { Get-LabFactoryConfiguration -ConfigurationLocation $root } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be 'Configuration.SubscriptionIdInvalid,ImageFactory.Commands.GetLabFactoryConfigurationCommand'
        "$($failure.CategoryInfo.Category)" | Should -Be 'InvalidData'
        $failure.TargetObject | Should -Be (Join-Path $root 'Labs.json')
        $failure.Exception.Message | Should -Match 'Labs\.json'
        $failure.Exception.Message | Should -Match 'SubscriptionId'
        $failure.Exception.Message | Should -Match 'not-a-guid'
    }

    It 'reports a missing configuration folder as ObjectNotFound' {
        $missing = Join-Path $TestDrive 'does-not-exist'
        $failure = { Get-LabFactoryConfiguration $missing } | Should -Throw -PassThru
        "$($failure.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $failure.FullyQualifiedErrorId | Should -BeLike 'Configuration.*,ImageFactory.Commands.GetLabFactoryConfigurationCommand'
    }

    It 'writes unsubscribed templates as warnings and still returns the configuration' {
        $root = New-TestConfiguration -Path (Join-Path $TestDrive 'warning') -Templates @{ 'Win/A.json' = 'Windows'; 'Win/B.json' = 'Windows' } -LabsJson '{"Labs":[{"SubscriptionId":"8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01","LabName":"Lab1","ImagePaths":["Win/A.json"]}]}'
        $configuration = Get-LabFactoryConfiguration $root -WarningVariable warnings -WarningAction SilentlyContinue
        $configuration.GoldenImages.Count | Should -Be 2
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match 'Win/B\.json'
    }

    It 'refuses a path on another provider' {
        $failure = { Get-LabFactoryConfiguration -ConfigurationLocation 'Env:\PATH' } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'PathNotFileSystem,ImageFactory.Commands.GetLabFactoryConfigurationCommand'
    }
}

Describe 'Test-LabFactoryConfiguration' {
    It 'finds nothing wrong with the sample configuration' {
        Test-LabFactoryConfiguration -ConfigurationLocation $Sample | Should -BeNullOrEmpty
        Test-LabFactoryConfiguration -ConfigurationLocation $Sample -Quiet | Should -BeTrue
    }

    It 'reports exactly the reference configuration''s real problems: its placeholders' {
        $findings = Test-LabFactoryConfiguration -ConfigurationLocation $Reference
        $findings | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageFactory.Engine.Configuration.ConfigurationFinding' }
        @($findings | Sort-Object Code | ForEach-Object { "$($_.Severity) $($_.Code) $($_.File) $($_.JsonPath)" }) | Should -Be @(
            'Error LabNameInvalid Labs.json $.Labs[0].LabName'
            'Error ResourceGroupInvalid Labs.json $.Labs[0].ResourceGroup'
            'Error SubscriptionIdInvalid Labs.json $.Labs[0].SubscriptionId')
        $findings | ForEach-Object { $_.Line | Should -BeGreaterThan 0 }
        Test-LabFactoryConfiguration -ConfigurationLocation $Reference -Quiet | Should -BeFalse
    }

    It 'gives the line and position of malformed JSON' {
        $root = New-TestConfiguration -Path (Join-Path $TestDrive 'malformed') -Templates @{ 'Win/A.json' = 'Windows' } -LabsJson "{`n  `"Labs`": [`n    { `"LabName`": `"Lab1`" `"SubscriptionId`": `"x`" }`n  ]`n}"
        $finding = Test-LabFactoryConfiguration $root | Where-Object Code -eq 'JsonMalformed'
        $finding.File | Should -Be 'Labs.json'
        $finding.Line | Should -Be 3
        $finding.Position | Should -BeGreaterThan 1
    }

    It 'returns $false with -Quiet and one finding per problem without -Quiet' {
        $labs = '{"Labs":[{"SubscriptionId":"8f4f1c3a-6a0e-4c55-9a53-3f3c2d1b7e01","LabName":"Lab1","ImagePaths":["Win2016"]},{"SubscriptionId":"8F4F1C3A-6A0E-4C55-9A53-3F3C2D1B7E01","LabName":"lab1","ImagePaths":["../Outside"]}]}'
        $root = New-TestConfiguration -Path (Join-Path $TestDrive 'several') -Templates @{ 'Win2016R2/A.json' = 'Windows' } -LabsJson $labs
        $codes = (Test-LabFactoryConfiguration $root).Code
        $codes | Should -Contain 'ImagePathNoMatch'
        $codes | Should -Contain 'LabDuplicate'
        $codes | Should -Contain 'ImagePathEscapesGoldenImages'
        Test-LabFactoryConfiguration $root -Quiet | Should -BeFalse
    }

    It 'formats findings as a table with the location' {
        $text = Test-LabFactoryConfiguration $Reference | Out-String -Width 200
        $text | Should -Match 'Severity\s+File\s+Line\s+Code\s+Message'
        $text | Should -Match 'SubscriptionIdInvalid'
    }
}
