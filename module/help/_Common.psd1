# Descriptions of the parameters every Azure cmdlet shares; a cmdlet's own help file may override any of them.
@{
    Parameters = @{
        SubscriptionId          = 'The ID (a GUID) of the subscription that holds the lab.'
        DevTestLabName          = 'The name of the DevTest Labs lab. For Save-LabVhd, Get-LabGoldenVm and Get-LabVhd this is the factory lab. Alias: LabName.'
        ResourceGroupName       = 'The lab''s resource group. Without it, the lab is looked up by name among all the labs of the subscription; no match or several matches stop the command with an error that names what was searched.'
        Environment             = 'The Azure cloud to sign in to: AzureCloud (the default), AzureUSGovernment or AzureChinaCloud.'
        ResourceManagerEndpoint = 'A custom Resource Manager endpoint (https), such as Azure Stack Hub or the local Azure of this repository; requires -AuthorityHost. When omitted, $env:IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT is used if set.'
        AuthorityHost           = 'The Microsoft Entra ID authority of a custom cloud (https). When omitted, $env:AZURE_AUTHORITY_HOST is used if set.'
        MaxConcurrentJobs       = 'How many copies or operations run at the same time, from 1 to 64. They run as asynchronous tasks inside the PowerShell process, not as background jobs.'
    }
}
