@{
    Synopsis    = 'Lists the golden VMs of the factory lab and whether each can be saved as a VHD now.'
    Description = @'
Get-LabGoldenVm lists the VMs of the factory lab that carry an ImagePath tag (the golden VMs the factory built from its templates) with their OS type, power state, provisioning state and readiness: CanSave is $true when the VM is deallocated, provisioned and has a managed OS disk, and NotReadyReason says why not otherwise.

The whole lab is read with one request that includes each VM's compute state (the original scripts listed every VM of the subscription once per lab VM).

Sign-in: the token of the Az context already signed in in the session (Connect-AzAccount, the Azure PowerShell task) is used first, taken in-process with Get-AzAccessToken; otherwise Azure.Identity's environment, workload identity, managed identity and Azure CLI credentials are tried in turn. No token is ever written to disk or to any output stream.
'@
    Parameters  = @{
        Name = 'Only the VMs with these names; wildcards are allowed.'
    }
    Inputs      = @{
        'System.String' = 'SubscriptionId, DevTestLabName and ResourceGroupName bind by property name.'
    }
    Outputs     = @{
        'ImageFactory.Engine.Vhds.GoldenVm' = 'One object per golden VM: Name, ImagePath, OsType, PowerState, ProvisioningState, CanSave, NotReadyReason, Description, CreatedDate, Id, OsDiskId.'
    }
    Examples    = @(
        @{
            Code    = 'Get-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab'
            Remarks = 'Lists the golden VMs of the factory lab and whether each can be saved.'
        }
        @{
            Code    = 'Get-LabGoldenVm -SubscriptionId $subscriptionId -DevTestLabName ImageFactoryLab | Where-Object CanSave | Save-LabVhd -MaxConcurrentJobs 8'
            Remarks = 'Saves the golden VMs that are ready; the others are left alone.'
        }
    )
    Notes       = 'Reads only; makes no change in Azure.'
    Links       = @('Save-LabVhd', 'Get-LabVhd')
}
