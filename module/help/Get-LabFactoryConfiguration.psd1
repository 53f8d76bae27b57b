@{
    Synopsis    = 'Reads an image factory configuration (Labs.json and GoldenImages) into typed objects.'
    Description = @'
Get-LabFactoryConfiguration reads the configuration folder of an image factory: every ARM template of a golden VM under GoldenImages (in any subfolder; file names may contain spaces) and Labs.json, which lists the target labs and the ImagePaths each of them subscribes to. An ImagePath names a template file or a whole folder relative to GoldenImages; a folder means every template below it. Matching is case-insensitive, accepts / and \, and works segment by segment (Win2016 never matches Win2016R2).

It returns one FactoryConfiguration object. Its GoldenImages property holds one GoldenImage per template (ImagePath, OS type, the template's notes as Description, the base image reference, the template path, the image-name stem and the VM name); its Labs property holds one LabTarget per lab (SubscriptionId, LabName, optional ResourceGroup and resource ID, and the golden images it subscribes to).

Image-name stems follow the original DevTest Labs image factory ({folder}_{file}, .json dropped, . becomes _, space becomes -) so that image stores made by the sample scripts keep working. VM names respect the 15-character Windows limit and are unique across folders.

A configuration with errors stops the command with a terminating error whose id is Configuration.<code> (for example Configuration.SubscriptionIdInvalid), whose target is the file at fault and whose message names the file, the field and the value. Warnings (for example a template no lab subscribes to) are written to the warning stream. Use Test-LabFactoryConfiguration to list every problem at once.
'@
    Parameters  = @{
        ConfigurationLocation = 'The configuration root: the folder that holds Labs.json and the GoldenImages folder. Relative paths are resolved against the current location; PSPath values from Get-Item are accepted through the pipeline.'
    }
    Inputs      = @{
        'System.String' = 'The configuration root, by value or by the property name ConfigurationLocation, Path or PSPath.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Configuration.FactoryConfiguration' = 'The configuration: Root, LabsFile, GoldenImages, Labs and Warnings.'
    }
    Examples    = @(
        @{
            Code    = 'Get-LabFactoryConfiguration -ConfigurationLocation ./Configuration'
            Remarks = 'Reads the configuration in ./Configuration and shows a summary: the golden images and the labs.'
        }
        @{
            Code    = '(Get-LabFactoryConfiguration ./Configuration).Labs | Format-Table LabName, SubscriptionId, @{ n = ''Images''; e = { $_.GoldenImages.ImagePath -join '', '' } }'
            Remarks = 'Lists which golden images each lab receives.'
        }
        @{
            Code    = 'try { Get-LabFactoryConfiguration ./Configuration -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.TargetObject }'
            Remarks = 'Shows the precise error id (for example Configuration.LabNameInvalid,ImageFactory.Commands.GetLabFactoryConfigurationCommand) and the file at fault when the configuration is invalid.'
        }
    )
    Notes       = 'The configuration is read from disk only; nothing in Azure is read or changed.'
    Links       = @('Test-LabFactoryConfiguration')
}
