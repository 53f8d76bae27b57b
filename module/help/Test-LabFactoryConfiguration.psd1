@{
    Synopsis    = 'Checks an image factory configuration and reports every problem with its file, line and field.'
    Description = @'
Test-LabFactoryConfiguration checks the configuration folder of an image factory (Labs.json and GoldenImages/**/*.json) without touching Azure, and returns one ConfigurationFinding per problem: Severity (Error or Warning), Code, File (relative to the configuration root), Line and Position where they apply, JsonPath, and a Message that names the file, the field and the value.

It finds, among others: unreadable or malformed JSON (with line and position); a missing Labs, LabName, SubscriptionId or ImagePaths; a SubscriptionId that is not a GUID; a lab name or resource group name Azure would refuse; duplicate labs (same subscription and lab name, in any case); ImagePaths that match no template, are absolute or leave GoldenImages; templates whose OS type cannot be determined; two templates that would produce the same image name or VM name; and, as warnings, templates no lab subscribes to.

With -Quiet it returns only $true when the configuration has no errors (warnings allowed) and $false otherwise, which suits a build step that should fail early.
'@
    Parameters  = @{
        ConfigurationLocation = 'The configuration root: the folder that holds Labs.json and the GoldenImages folder. Relative paths are resolved against the current location; PSPath values from Get-Item are accepted through the pipeline. A folder that does not exist is reported as a finding.'
        Quiet                 = 'Returns only $true (no errors) or $false instead of the findings.'
    }
    Inputs      = @{
        'System.String' = 'The configuration root, by value or by the property name ConfigurationLocation, Path or PSPath.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Configuration.ConfigurationFinding' = 'One object per problem found (nothing when the configuration is clean).'
        'System.Boolean'                                         = 'With -Quiet: $true when there are no errors.'
    }
    Examples    = @(
        @{
            Code    = 'Test-LabFactoryConfiguration -ConfigurationLocation ./Configuration'
            Remarks = 'Lists every error and warning in the configuration, with file, line and message.'
        }
        @{
            Code    = 'if (-not (Test-LabFactoryConfiguration ./Configuration -Quiet)) { throw ''The image factory configuration has errors.'' }'
            Remarks = 'Fails a build step early when the configuration has errors.'
        }
        @{
            Code    = 'Test-LabFactoryConfiguration ./Configuration | Where-Object Severity -eq Error | Format-List File, Line, Position, JsonPath, Message'
            Remarks = 'Shows the errors only, with their exact location.'
        }
    )
    Notes       = 'Only the configuration files are read; nothing in Azure is read or changed.'
    Links       = @('Get-LabFactoryConfiguration')
}
