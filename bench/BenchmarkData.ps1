# Generates the benchmark's local-Azure worlds and factory configurations (Labs.json + GoldenImages templates).
# Dot-sourced by Invoke-Benchmark.ps1; everything it writes goes under out/bench (generated data is never committed).
#
# One subscription, one principal (Contributor), a factory lab 'BenchFactoryLab' whose store (container
# imagefactoryvhds) holds one saved VHD per golden image with its JSON record, and target labs 'Bench-Lab-NN'.
# VHDs are 127 GiB modelled page blobs holding 1 MiB of real bytes.

Set-StrictMode -Version Latest

$script:BenchSubscriptionId = '7b3e9c1d-5a2f-4d6b-8e0c-1f2a3b4c5d01'
$script:BenchTenantId = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'
$script:BenchFactoryLab = 'BenchFactoryLab'
$script:BenchImageDate = [DateTimeOffset]::new(2026, 11, 20, 8, 0, 0, [TimeSpan]::Zero)

function Get-BenchImage {
    <# The golden images 1..Count: template path, ImagePath, the record's image name and the saved VHD's source id. #>
    param([Parameter(Mandatory)] [int] $Count)
    $stamp = $BenchImageDate.ToString('MMM-d-yyyy', [cultureinfo]::InvariantCulture)
    foreach ($index in 1..$Count) {
        $file = 'Image{0:D2}' -f $index
        [pscustomobject]@{
            Index       = $index
            File        = "$file.json"
            ImagePath   = "Bench/$file.json"
            ImageName   = "Bench_$file-$stamp"       # the factory's naming rule: {folder}_{file}-MMM-d-yyyy
            SourceId    = '{0:x8}00004000800000000000{1:D4}' -f (0xbe7c0000 + $index), $index
            Description = "Benchmark golden image $index (Windows Server 2022 Datacenter)"
        }
    }
}

function Get-BenchLabName([int] $Index) { 'Bench-Lab-{0:D2}' -f $Index }

function New-BenchWorld {
    <#
    .SYNOPSIS
    Writes a world file: the factory lab with Images saved VHDs (127 GiB modelled each) and Labs target labs.
    With -SeedImagesInTargets every target lab already holds every image (named and tagged as the factory tags
    them: ImagePath + ImageFactorySourceId), so a plan is all Skip.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Labs,
        [Parameter(Mandatory)] [int] $Images,
        [Parameter(Mandatory)] [double] $RealMillisecondsPerModelledMinute,
        [string] $CustomImageFromVhd = '00:08:00',
        [string] $PollInterval = '00:00:15',
        [int] $SizeGB = 127,
        [switch] $SeedImagesInTargets
    )
    $imageList = @(Get-BenchImage -Count $Images)
    $factory = [ordered]@{
        subscriptionId     = $BenchSubscriptionId
        resourceGroup      = 'rg-bench-factory'
        name               = $BenchFactoryLab
        storageAccountName = 'benchfactorystore'
        vhds               = @(foreach ($image in $imageList) {
                [ordered]@{
                    container   = 'imagefactoryvhds'
                    name        = "$($image.SourceId).vhd"
                    sizeGB      = $SizeGB
                    realSizeMiB = 1
                    record      = [ordered]@{
                        imageName   = $image.ImageName
                        imagePath   = $image.ImagePath
                        description = $image.Description
                        osType      = 'Windows'
                        vhdFileName = "$($image.SourceId).vhd"
                        timestamp   = $BenchImageDate.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ', [cultureinfo]::InvariantCulture)
                        sysPrep     = $true
                    }
                }
            })
    }
    $targets = foreach ($index in 1..$Labs) {
        $lab = [ordered]@{
            subscriptionId     = $BenchSubscriptionId
            resourceGroup      = 'rg-bench-labs'
            name               = (Get-BenchLabName $index)
            storageAccountName = ('benchlab{0:D3}' -f $index)
        }
        if ($SeedImagesInTargets) {
            $lab.customImages = @(foreach ($image in $imageList) {
                    [ordered]@{
                        name        = $image.ImageName
                        osType      = 'Windows'
                        description = $image.Description
                        vhd         = @{ sysPrep = $true }
                        tags        = [ordered]@{ ImagePath = $image.ImagePath; ImageFactorySourceId = $image.SourceId }
                    }
                })
        }
        $lab
    }
    $world = [ordered]@{
        seed                              = 42
        realMillisecondsPerModelledMinute = $RealMillisecondsPerModelledMinute
        arm                               = [ordered]@{ readsPerHour = 12000; writesPerHour = 1200; pageSize = 100 }
        blob                              = [ordered]@{ pageBlobReadMiBPerSecond = 60 }
        durations                         = [ordered]@{ customImageFromVhd = $CustomImageFromVhd; pollInterval = $PollInterval }
        subscriptions                     = @([ordered]@{ id = $BenchSubscriptionId; displayName = 'Bench'; tenantId = $BenchTenantId })
        principals                        = @([ordered]@{
                tenantId        = $BenchTenantId
                clientId        = 'c0000000-0000-4000-8000-00000000be01'
                clientSecret    = 'bench-secret-1'
                displayName     = 'imagefactory-bench'
                roleAssignments = @(@{ scope = "/subscriptions/$BenchSubscriptionId"; role = 'Contributor' })
            })
        resourceGroups                    = @(
            [ordered]@{ subscriptionId = $BenchSubscriptionId; name = 'rg-bench-factory'; location = 'westeurope' }
            [ordered]@{ subscriptionId = $BenchSubscriptionId; name = 'rg-bench-labs'; location = 'westeurope' }
        )
        labs                              = @(@($factory) + @($targets))
    }
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
    $world | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $Path -Encoding utf8NoBOM
    $Path
}

function New-BenchConfiguration {
    <#
    .SYNOPSIS
    Writes a configuration root: GoldenImages/Bench/ImageNN.json (DevTest Labs VM templates) and a Labs.json in
    which every target lab subscribes to the whole 'Bench' folder.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Labs,
        [Parameter(Mandatory)] [int] $Images
    )
    Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction Ignore
    $folder = Join-Path $Path 'GoldenImages/Bench'
    $null = New-Item -ItemType Directory -Force -Path $folder
    foreach ($image in Get-BenchImage -Count $Images) {
        $template = [ordered]@{
            '$schema'      = 'https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json'
            contentVersion = '1.0.0.0'
            parameters     = [ordered]@{
                newVMName = @{ type = 'string' }; labName = @{ type = 'string' }; size = @{ type = 'string' }
                userName = @{ type = 'string' }; password = @{ type = 'securestring' }
            }
            variables      = [ordered]@{
                labSubnetName        = "[concat(variables('labVirtualNetworkName'), 'Subnet')]"
                labVirtualNetworkId  = "[resourceId('Microsoft.DevTestLab/labs/virtualnetworks', parameters('labName'), variables('labVirtualNetworkName'))]"
                labVirtualNetworkName = "[concat('Dtl', parameters('labName'))]"
                vmId                 = "[resourceId ('Microsoft.DevTestLab/labs/virtualmachines', parameters('labName'), parameters('newVMName'))]"
                vmName               = "[concat(parameters('labName'), '/', parameters('newVMName'))]"
            }
            resources      = @([ordered]@{
                    apiVersion = '2018-10-15-preview'
                    type       = 'Microsoft.DevTestLab/labs/virtualmachines'
                    name       = "[variables('vmName')]"
                    location   = '[resourceGroup().location]'
                    properties = [ordered]@{
                        labVirtualNetworkId       = "[variables('labVirtualNetworkId')]"
                        notes                     = $image.Description
                        galleryImageReference     = [ordered]@{ offer = 'WindowsServer'; publisher = 'MicrosoftWindowsServer'; sku = '2022-Datacenter'; osType = 'Windows'; version = 'latest' }
                        size                      = "[parameters('size')]"
                        userName                  = "[parameters('userName')]"
                        password                  = "[parameters('password')]"
                        isAuthenticationWithSshKey = $false
                        labSubnetName             = "[variables('labSubnetName')]"
                        disallowPublicIpAddress   = $false
                        storageType               = 'Standard'
                        allowClaim                = $false
                    }
                })
            outputs        = @{ labVMId = @{ type = 'string'; value = "[variables('vmId')]" } }
        }
        $template | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath (Join-Path $folder $image.File) -Encoding utf8NoBOM
    }
    $labsJson = [ordered]@{
        Labs = @(foreach ($index in 1..$Labs) {
                [ordered]@{ SubscriptionId = $BenchSubscriptionId; LabName = (Get-BenchLabName $index); ResourceGroup = 'rg-bench-labs'; ImagePaths = @('Bench') }
            })
    }
    $labsJson | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $Path 'Labs.json') -Encoding utf8NoBOM
    $Path
}
