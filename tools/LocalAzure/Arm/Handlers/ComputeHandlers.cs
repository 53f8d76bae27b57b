using System.Globalization;
using System.Text.Json.Nodes;
using LocalAzure.World;

namespace LocalAzure.Arm.Handlers;

/// <summary>Microsoft.Compute: VMs (get, instance view), managed disks (get, beginGetAccess, endGetAccess), operations.</summary>
internal sealed class ComputeHandlers(ArmContext context)
{
    private const string Ns = ProviderCatalog.Compute;

    public void Register(ArmRouter router)
    {
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "virtualMachines", RouteShape.Item, null, "Microsoft.Compute/virtualMachines/read", false, GetVmAsync));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "virtualMachines", RouteShape.Action, "instanceView", "Microsoft.Compute/virtualMachines/instanceView/read", false, GetInstanceViewAsync, "virtualMachines/instanceView"));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "disks", RouteShape.Item, null, "Microsoft.Compute/disks/read", false, GetDiskAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, "disks", RouteShape.Action, "beginGetAccess", "Microsoft.Compute/disks/beginGetAccess/action", true, BeginGetAccessAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, "disks", RouteShape.Action, "endGetAccess", "Microsoft.Compute/disks/endGetAccess/action", true, EndGetAccessAsync));
        router.Add(new("GET", RouteScope.Subscription, Ns, "locations/operations", RouteShape.Item, null, "Microsoft.Compute/locations/operations/read", false, GetOperationAsync));
    }

    public static string DiskState(WorldState world, ManagedDisk disk)
    {
        if (disk.ActiveSas)
        {
            return "ActiveSAS";
        }

        if (disk.ManagedBy is { } vmId && world.ComputeVms.TryGetValue(vmId, out var vm))
        {
            return vm.PowerState == VmPowerState.Deallocated ? "Reserved" : "Attached";
        }

        return "Unattached";
    }

    public static string LastKnownPowerState(VmPowerState state) => state switch
    {
        VmPowerState.Running => "Running",
        VmPowerState.Starting => "Starting",
        VmPowerState.Stopping => "Stopping",
        VmPowerState.Stopped => "Stopped",
        VmPowerState.Deallocating => "Deallocating",
        _ => "Deallocated",
    };

    /// <summary>The instance view statuses: provisioning state, then power state, as Azure writes them.</summary>
    public static JsonArray Statuses(ComputeVm vm, bool withTimes)
    {
        var provisioning = new JsonObject
        {
            ["code"] = "ProvisioningState/succeeded",
            ["level"] = "Info",
            ["displayStatus"] = "Provisioning succeeded",
        };
        if (withTimes)
        {
            provisioning["time"] = ArmContext.Time(vm.PowerStateChanged);
        }

        var (code, display) = vm.PowerState switch
        {
            VmPowerState.Running => ("PowerState/running", "VM running"),
            VmPowerState.Starting => ("PowerState/starting", "VM starting"),
            VmPowerState.Stopping => ("PowerState/stopping", "VM stopping"),
            VmPowerState.Stopped => ("PowerState/stopped", "VM stopped"),
            VmPowerState.Deallocating => ("PowerState/deallocating", "VM deallocating"),
            _ => ("PowerState/deallocated", "VM deallocated"),
        };
        return new JsonArray(provisioning, new JsonObject { ["code"] = code, ["level"] = "Info", ["displayStatus"] = display });
    }

    /// <summary>Removes a lab VM's compute VM, OS disk and resource group (the end of a lab VM delete).</summary>
    public void DeleteComputeResources(LabVm labVm)
    {
        var world = context.World;
        if (world.ComputeVms.Remove(labVm.ComputeId, out var vm))
        {
            if (world.Disks.Remove(vm.OsDiskId, out var disk) && disk.ActiveSas)
            {
                context.Blobs.RevokeSas(disk.Blob.Account, disk.Blob.Container, disk.Blob.Name);
            }

            world.ResourceGroups.Remove(WorldState.GroupKey(vm.SubscriptionId, vm.ResourceGroup));
        }
    }

    private Task<ArmResult> GetVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var vm = FindVm(request);
            var expand = request.QueryValue("$expand") ?? string.Empty;
            var body = VmJson(vm, expand.Contains("userData", StringComparison.OrdinalIgnoreCase));
            if (expand.Contains("instanceView", StringComparison.OrdinalIgnoreCase))
            {
                body["properties"]!["instanceView"] = InstanceView(vm);
            }

            return ArmResult.Ok(body);
        }));

    private Task<ArmResult> GetInstanceViewAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(InstanceView(FindVm(request)))));

    private Task<ArmResult> GetDiskAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(DiskJson(FindDisk(request)))));

    private Task<ArmResult> BeginGetAccessAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var disk = FindDisk(request);
            var access = Json.String(request.Body?["access"]) ?? "Read";
            if (!access.Equals("Read", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArmException(400, "InvalidParameter", $"The access level '{access}' is not supported here: only 'Read' export of an existing disk is modelled.");
            }

            var seconds = request.Body?["durationInSeconds"] is JsonValue d && d.TryGetValue<int>(out var s) ? s : 3600;
            if (seconds < 1)
            {
                throw new ArmException(400, "InvalidParameter", "durationInSeconds must be positive.");
            }

            if (disk.ManagedBy is { } vmId && context.World.ComputeVms.TryGetValue(vmId, out var vm) && vm.PowerState != VmPowerState.Deallocated)
            {
                // Azure's words (409 Conflict) for a grant on a disk whose VM is not deallocated.
                throw ArmErrors.Conflict(
                    "Conflict",
                    $"Access not permitted because disk {disk.Name} is currently attached to running VM {vm.Id}.");
            }

            var op = context.Operations.Start(Ns, disk.SubscriptionId, disk.Location, request.Match.Route.Operation, disk.Id, context.Durations.DiskGrantAccess,
                () =>
                {
                    var sas = context.Blobs.GetReadSasUri(disk.Blob.Account, disk.Blob.Container, disk.Blob.Name, TimeSpan.FromSeconds(seconds));
                    disk.ActiveSas = true;
                    disk.AccessSas = sas;
                    return new JsonObject { ["accessSAS"] = sas.AbsoluteUri };
                },
                null,
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: true));
        }));

    private Task<ArmResult> EndGetAccessAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var disk = FindDisk(request);
            var op = context.Operations.Start(Ns, disk.SubscriptionId, disk.Location, request.Match.Route.Operation, disk.Id, context.Durations.DiskRevokeAccess,
                () =>
                {
                    context.Blobs.RevokeSas(disk.Blob.Account, disk.Blob.Container, disk.Blob.Name);
                    disk.ActiveSas = false;
                    disk.AccessSas = null;
                    return null;
                },
                null,
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: true));
        }));

    private Task<ArmResult> GetOperationAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var op = context.FindOperation(request, Ns);

            var monitor = string.Equals(request.QueryValue("monitor"), "true", StringComparison.OrdinalIgnoreCase);
            if (monitor)
            {
                // The Location URL: 202 while running, then the operation's result (or its error).
                return op.Status switch
                {
                    OperationStatus.InProgress => ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: true)),
                    OperationStatus.Succeeded => ArmResult.Ok(op.Result),
                    _ => throw new ArmException(400, op.ErrorCode ?? "OperationFailed", op.ErrorMessage ?? "The operation failed."),
                };
            }

            // The Azure-AsyncOperation URL: always 200 with the status document.
            var body = new JsonObject
            {
                ["startTime"] = ArmContext.Time(op.StartTime),
                ["status"] = op.Status.ToString(),
                ["name"] = op.Id,
            };
            if (op.EndTime is { } end)
            {
                body["endTime"] = ArmContext.Time(end);
            }

            if (op.Status == OperationStatus.Succeeded && op.Result is not null)
            {
                body["properties"] = new JsonObject { ["output"] = op.Result.DeepClone() };
            }

            if (op.Status == OperationStatus.Failed)
            {
                body["error"] = new JsonObject { ["code"] = op.ErrorCode, ["message"] = op.ErrorMessage };
            }

            var result = ArmResult.Ok(body);
            if (op.Status == OperationStatus.InProgress)
            {
                result.With(LongRunningOperations.RetryHints(context.Clock, context.Durations.PollInterval));
            }

            return result;
        }));

    private ComputeVm FindVm(ArmRequest request)
    {
        var id = WorldState.ResourceId(request.SubscriptionId!, request.ResourceGroup!, "Microsoft.Compute/virtualMachines", request.Names[0]);
        return context.World.ComputeVms.GetValueOrDefault(id)
            ?? throw ArmErrors.ResourceNotFound("Microsoft.Compute/virtualMachines", request.Names[0], request.ResourceGroup!);
    }

    private ManagedDisk FindDisk(ArmRequest request)
    {
        var id = WorldState.ResourceId(request.SubscriptionId!, request.ResourceGroup!, "Microsoft.Compute/disks", request.Names[0]);
        return context.World.Disks.GetValueOrDefault(id)
            ?? throw ArmErrors.ResourceNotFound("Microsoft.Compute/disks", request.Names[0], request.ResourceGroup!);
    }

    private JsonObject VmJson(ComputeVm vm, bool userData)
    {
        var disk = context.World.Disks.GetValueOrDefault(vm.OsDiskId);
        var lab = context.World.Labs.Values.FirstOrDefault(l => l.Vms.Values.Any(v => v.ComputeId.Equals(vm.Id, StringComparison.OrdinalIgnoreCase)));
        var osProfile = new JsonObject
        {
            ["computerName"] = vm.Name,
            ["adminUsername"] = vm.AdminUserName,
        };
        if (vm.OsType == OsType.Windows)
        {
            osProfile["windowsConfiguration"] = new JsonObject { ["provisionVMAgent"] = true, ["enableAutomaticUpdates"] = true };
        }
        else
        {
            osProfile["linuxConfiguration"] = new JsonObject { ["disablePasswordAuthentication"] = false, ["provisionVMAgent"] = true };
        }

        osProfile["secrets"] = new JsonArray();
        var properties = new JsonObject
        {
            ["vmId"] = vm.VmId,
            ["hardwareProfile"] = new JsonObject { ["vmSize"] = vm.Size },
            ["storageProfile"] = new JsonObject
            {
                ["imageReference"] = new JsonObject
                {
                    ["publisher"] = vm.ImageReference.Publisher,
                    ["offer"] = vm.ImageReference.Offer,
                    ["sku"] = vm.ImageReference.Sku,
                    ["version"] = vm.ImageReference.Version,
                },
                ["osDisk"] = new JsonObject
                {
                    ["osType"] = vm.OsType.ToString(),
                    ["name"] = disk?.Name,
                    ["createOption"] = "FromImage",
                    ["caching"] = "ReadWrite",
                    ["managedDisk"] = new JsonObject { ["storageAccountType"] = "StandardSSD_LRS", ["id"] = vm.OsDiskId },
                    ["diskSizeGB"] = disk?.SizeGB,
                },
                ["dataDisks"] = new JsonArray(),
            },
            ["osProfile"] = osProfile,
            ["securityProfile"] = new JsonObject { ["securityType"] = "Standard" },
            ["networkProfile"] = new JsonObject
            {
                ["networkInterfaces"] = new JsonArray(new JsonObject { ["id"] = vm.NetworkInterfaceId }),
            },
            ["diagnosticsProfile"] = new JsonObject
            {
                ["bootDiagnostics"] = new JsonObject
                {
                    ["enabled"] = lab is not null,
                    ["storageUri"] = lab is null ? null : context.Blobs.GetAccountEndpoint(lab.StorageAccountName).AbsoluteUri,
                },
            },
            ["extensionsTimeBudget"] = "PT1H30M",
            ["provisioningState"] = "Succeeded",
            ["timeCreated"] = ArmContext.Time(vm.TimeCreated),
        };
        if (userData)
        {
            properties["userData"] = string.Empty;
        }

        return new JsonObject
        {
            ["name"] = vm.Name,
            ["id"] = vm.Id,
            ["type"] = "Microsoft.Compute/virtualMachines",
            ["location"] = vm.Location,
            ["tags"] = Json.Tags(vm.Tags),
            ["etag"] = "\"1\"",
            ["properties"] = properties,
        };
    }

    private JsonObject InstanceView(ComputeVm vm)
    {
        var disk = context.World.Disks.GetValueOrDefault(vm.OsDiskId);
        var lab = context.World.Labs.Values.FirstOrDefault(l => l.Vms.Values.Any(v => v.ComputeId.Equals(vm.Id, StringComparison.OrdinalIgnoreCase)));
        var diskStatus = new JsonObject
        {
            ["code"] = "ProvisioningState/succeeded",
            ["level"] = "Info",
            ["displayStatus"] = "Provisioning succeeded",
            ["time"] = ArmContext.Time(vm.TimeCreated),
        };
        var view = new JsonObject
        {
            ["platformUpdateDomain"] = 0,
            ["platformFaultDomain"] = 0,
            ["computerName"] = vm.Name,
        };
        if (vm.PowerState == VmPowerState.Running)
        {
            view["osName"] = vm.OsType == OsType.Windows ? "Windows Server 2016 Datacenter" : "ubuntu";
            view["osVersion"] = vm.OsType == OsType.Windows ? "Microsoft Windows NT 10.0.14393.0" : "18.04";
            view["vmAgent"] = new JsonObject
            {
                ["vmAgentVersion"] = "2.7.41491.1102",
                ["statuses"] = new JsonArray(new JsonObject
                {
                    ["code"] = "ProvisioningState/succeeded",
                    ["level"] = "Info",
                    ["displayStatus"] = "Ready",
                    ["message"] = "GuestAgent is running and accepting new configurations.",
                    ["time"] = ArmContext.Time(context.Clock.UtcNow),
                }),
                ["extensionHandlers"] = new JsonArray(),
            };
        }

        view["disks"] = new JsonArray(new JsonObject { ["name"] = disk?.Name, ["statuses"] = new JsonArray(diskStatus) });
        if (lab is not null)
        {
            var endpoint = context.Blobs.GetAccountEndpoint(lab.StorageAccountName).AbsoluteUri;
            var container = string.Create(CultureInfo.InvariantCulture, $"bootdiagnostics-{vm.Name.ToLowerInvariant()}-{vm.VmId}");
            view["bootDiagnostics"] = new JsonObject
            {
                ["consoleScreenshotBlobUri"] = $"{endpoint}{container}/{vm.Name}.screenshot.bmp",
                ["serialConsoleLogBlobUri"] = $"{endpoint}{container}/{vm.Name}.serialconsole.log",
            };
        }

        view["extensions"] = new JsonArray();
        view["hyperVGeneration"] = "V1";
        view["isVMInStandbyPool"] = false;
        view["statuses"] = Statuses(vm, withTimes: true);
        return view;
    }

    private JsonObject DiskJson(ManagedDisk disk)
    {
        var vm = disk.ManagedBy is { } id ? context.World.ComputeVms.GetValueOrDefault(id) : null;
        var body = new JsonObject();
        if (disk.ManagedBy is not null)
        {
            body["managedBy"] = disk.ManagedBy;
        }

        body["sku"] = new JsonObject { ["name"] = "StandardSSD_LRS", ["tier"] = "Standard" };
        body["properties"] = new JsonObject
        {
            ["osType"] = disk.OsType.ToString(),
            ["hyperVGeneration"] = "V1",
            ["supportedCapabilities"] = new JsonObject { ["acceleratedNetwork"] = true, ["architecture"] = "x64" },
            ["supportsHibernation"] = false,
            ["creationData"] = new JsonObject
            {
                ["createOption"] = "FromImage",
                ["imageReference"] = new JsonObject
                {
                    ["id"] = vm is null
                        ? $"/Subscriptions/{disk.SubscriptionId}/Providers/Microsoft.Compute/Locations/{disk.Location}/Publishers/MicrosoftWindowsServer/ArtifactTypes/VMImage/Offers/WindowsServer/Skus/2016-Datacenter/Versions/latest"
                        : $"/Subscriptions/{disk.SubscriptionId}/Providers/Microsoft.Compute/Locations/{disk.Location}/Publishers/{vm.ImageReference.Publisher}/ArtifactTypes/VMImage/Offers/{vm.ImageReference.Offer}/Skus/{vm.ImageReference.Sku}/Versions/{vm.ImageReference.Version}",
                },
            },
            ["diskSizeGB"] = disk.SizeGB,
            ["diskSizeBytes"] = (long)disk.SizeGB * 1024 * 1024 * 1024,
            ["uniqueId"] = disk.UniqueId,
            ["encryption"] = new JsonObject { ["type"] = "EncryptionAtRestWithPlatformKey" },
            ["networkAccessPolicy"] = "AllowAll",
            ["publicNetworkAccess"] = "Enabled",
            ["LastOwnershipUpdateTime"] = ArmContext.Time(disk.TimeCreated),
            ["timeCreated"] = ArmContext.Time(disk.TimeCreated),
            ["provisioningState"] = "Succeeded",
            ["diskState"] = DiskState(context.World, disk),
        };
        body["type"] = "Microsoft.Compute/disks";
        body["location"] = disk.Location;
        body["tags"] = new JsonObject();
        body["id"] = disk.Id;
        body["name"] = disk.Name;
        return body;
    }
}
