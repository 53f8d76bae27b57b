using System.Text.Json.Nodes;
using LocalAzure.World;

namespace LocalAzure.Arm.Handlers;

/// <summary>Microsoft.DevTestLab 2018-09-15: labs, lab VMs, custom images, listVhds, generateUploadUri, operations.</summary>
internal sealed class DevTestLabHandlers(ArmContext context, ComputeHandlers compute)
{
    private const string Ns = ProviderCatalog.DevTestLab;
    private const string UploadsContainer = "uploads";

    public void Register(ArmRouter router)
    {
        router.Add(new("GET", RouteScope.Subscription, Ns, "labs", RouteShape.Collection, null, "Microsoft.DevTestLab/labs/read", false, ListLabsAsync));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "labs", RouteShape.Collection, null, "Microsoft.DevTestLab/labs/read", false, ListLabsAsync));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "labs", RouteShape.Item, null, "Microsoft.DevTestLab/labs/read", false, GetLabAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, "labs", RouteShape.Action, "listVhds", "Microsoft.DevTestLab/labs/ListVhds/action", true, ListVhdsAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, "labs", RouteShape.Action, "generateUploadUri", "Microsoft.DevTestLab/labs/GenerateUploadUri/action", true, GenerateUploadUriAsync));

        const string vms = "labs/virtualmachines";
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, vms, RouteShape.Collection, null, "Microsoft.DevTestLab/labs/virtualmachines/read", false, ListVmsAsync));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, vms, RouteShape.Item, null, "Microsoft.DevTestLab/labs/virtualmachines/read", false, GetVmAsync));
        router.Add(new("PATCH", RouteScope.ResourceGroup, Ns, vms, RouteShape.Item, null, "Microsoft.DevTestLab/labs/virtualmachines/write", true, UpdateVmAsync));
        router.Add(new("DELETE", RouteScope.ResourceGroup, Ns, vms, RouteShape.Item, null, "Microsoft.DevTestLab/labs/virtualmachines/delete", true, DeleteVmAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, vms, RouteShape.Action, "start", "Microsoft.DevTestLab/labs/virtualmachines/Start/action", true, StartVmAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, vms, RouteShape.Action, "stop", "Microsoft.DevTestLab/labs/virtualmachines/Stop/action", true, StopVmAsync));

        const string images = "labs/customimages";
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, images, RouteShape.Collection, null, "Microsoft.DevTestLab/labs/customimages/read", false, ListImagesAsync));
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, images, RouteShape.Item, null, "Microsoft.DevTestLab/labs/customimages/read", false, GetImageAsync));
        router.Add(new("PUT", RouteScope.ResourceGroup, Ns, images, RouteShape.Item, null, "Microsoft.DevTestLab/labs/customimages/write", true, PutImageAsync));
        router.Add(new("PATCH", RouteScope.ResourceGroup, Ns, images, RouteShape.Item, null, "Microsoft.DevTestLab/labs/customimages/write", true, UpdateImageAsync));
        router.Add(new("DELETE", RouteScope.ResourceGroup, Ns, images, RouteShape.Item, null, "Microsoft.DevTestLab/labs/customimages/delete", true, DeleteImageAsync));

        router.Add(new("GET", RouteScope.Subscription, Ns, "locations/operations", RouteShape.Item, null, "Microsoft.DevTestLab/locations/operations/read", false, GetOperationAsync));
    }

    // ---- labs ----

    private Task<ArmResult> ListLabsAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(context.Page(request, [.. context.World.Labs.Values
            .Where(l => l.SubscriptionId.Equals(request.SubscriptionId, StringComparison.OrdinalIgnoreCase)
                && (request.ResourceGroup is null || l.ResourceGroup.Equals(request.ResourceGroup, StringComparison.OrdinalIgnoreCase))
                && AccessControl.CanRead(request.Principal, l.SubscriptionId, l.ResourceGroup))
            .OrderBy(l => l.Name, StringComparer.OrdinalIgnoreCase)
            .Select(LabJson)]))));

    private Task<ArmResult> GetLabAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(LabJson(FindLab(request)))));

    private async Task<ArmResult> ListVhdsAsync(ArmRequest request, CancellationToken cancellationToken)
    {
        var account = context.Locked(() => FindLab(request).StorageAccountName);
        var endpoint = context.Blobs.GetAccountEndpoint(account);
        var blobs = await context.Blobs.ListBlobsAsync(account, UploadsContainer, cancellationToken).ConfigureAwait(false);
        var items = blobs
            .Where(b => b.IsPageBlob && b.Name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase))
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .Select(b => (JsonNode)new JsonObject { ["id"] = new Uri(endpoint, UploadsContainer + "/" + b.Name).AbsoluteUri })
            .ToList();
        return ArmResult.Ok(context.Page(request, items));
    }

    private Task<ArmResult> GenerateUploadUriAsync(ArmRequest request, CancellationToken cancellationToken)
    {
        var account = context.Locked(() => FindLab(request).StorageAccountName);
        var blobName = Json.String(request.Body?["blobName"]);
        if (string.IsNullOrWhiteSpace(blobName))
        {
            blobName = Guid.NewGuid().ToString("N") + ".vhd";
        }

        var uri = context.Blobs.GetWriteSasUri(account, UploadsContainer, blobName, TimeSpan.FromHours(24));
        return Task.FromResult(ArmResult.Ok(new JsonObject { ["uploadUri"] = uri.AbsoluteUri }));
    }

    // ---- virtual machines ----

    private Task<ArmResult> ListVmsAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var lab = FindLab(request);
            var expand = ExpandsComputeVm(request);
            return ArmResult.Ok(context.Page(request, [.. lab.Vms.Values.OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).Select(v => (JsonNode)VmJson(v, expand))]));
        }));

    private Task<ArmResult> GetVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(VmJson(FindVm(request), ExpandsComputeVm(request)))));

    private Task<ArmResult> UpdateVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var vm = FindVm(request);
            if (Json.ReadTags(request.Body) is { } tags)
            {
                vm.Tags = tags;
            }

            if (Json.String(request.Body?["properties"]?["notes"]) is { } notes)
            {
                vm.Notes = notes;
            }

            return ArmResult.Ok(VmJson(vm, expandCompute: false));
        }));

    private Task<ArmResult> StartVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var vm = FindVm(request);
            var computeVm = context.World.ComputeVms[vm.ComputeId];
            EnsureNotInTransition(vm, computeVm);
            var disk = context.World.Disks.GetValueOrDefault(computeVm.OsDiskId);
            if (disk is { ActiveSas: true })
            {
                throw ArmErrors.Conflict("OperationNotAllowed", $"Operation 'start' is not allowed on VM '{vm.Name}' since the VM's disk '{disk.Name}' is being exported (it has an active SAS). Call endGetAccess on the disk first.");
            }

            if (computeVm.PowerState != VmPowerState.Running)
            {
                computeVm.PowerState = VmPowerState.Starting;
            }

            var op = context.Operations.Start(Ns, vm.Lab.SubscriptionId, vm.Lab.Location, request.Match.Route.Operation, vm.Id, context.Durations.VmStart,
                () =>
                {
                    computeVm.PowerState = VmPowerState.Running;
                    computeVm.PowerStateChanged = context.Clock.UtcNow;
                    return null;
                },
                () => computeVm.PowerState = VmPowerState.Stopped,
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: false));
        }));

    private Task<ArmResult> StopVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var vm = FindVm(request);
            var computeVm = context.World.ComputeVms[vm.ComputeId];
            EnsureNotInTransition(vm, computeVm);
            if (computeVm.PowerState != VmPowerState.Deallocated)
            {
                computeVm.PowerState = VmPowerState.Deallocating;
            }

            var op = context.Operations.Start(Ns, vm.Lab.SubscriptionId, vm.Lab.Location, request.Match.Route.Operation, vm.Id, context.Durations.VmStop,
                () =>
                {
                    // DevTest Labs' stop deallocates.
                    computeVm.PowerState = VmPowerState.Deallocated;
                    computeVm.PowerStateChanged = context.Clock.UtcNow;
                    return null;
                },
                () => computeVm.PowerState = VmPowerState.Running,
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: false));
        }));

    private Task<ArmResult> DeleteVmAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var lab = FindLab(request);
            if (!lab.Vms.TryGetValue(request.Names[1], out var vm))
            {
                return ArmResult.NoContent();
            }

            vm.Deleting = true;
            var op = context.Operations.Start(Ns, lab.SubscriptionId, lab.Location, request.Match.Route.Operation, vm.Id, context.Durations.VmDelete,
                () =>
                {
                    compute.DeleteComputeResources(vm);
                    lab.Vms.Remove(vm.Name);
                    return null;
                },
                () => vm.Deleting = false,
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: false));
        }));

    // ---- custom images ----

    private Task<ArmResult> ListImagesAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var lab = FindLab(request);
            return ArmResult.Ok(context.Page(request, [.. lab.Images.Values.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).Select(ImageJson)]));
        }));

    private Task<ArmResult> GetImageAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(ImageJson(FindImage(request)))));

    private Task<ArmResult> UpdateImageAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var image = FindImage(request);
            if (Json.ReadTags(request.Body) is { } tags)
            {
                image.Tags = tags;
            }

            if (Json.String(request.Body?["properties"]?["description"]) is { } description)
            {
                image.Description = description;
            }

            return ArmResult.Ok(ImageJson(image));
        }));

    private Task<ArmResult> DeleteImageAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var lab = FindLab(request);
            if (!lab.Images.TryGetValue(request.Names[1], out var image))
            {
                return ArmResult.NoContent();
            }

            image.ProvisioningState = "Deleting";
            var op = context.Operations.Start(Ns, lab.SubscriptionId, lab.Location, request.Match.Route.Operation, image.Id, context.Durations.CustomImageDelete,
                () =>
                {
                    lab.Images.Remove(image.Name);
                    return null;
                },
                () => image.ProvisioningState = "Failed",
                request.Fault is not null);
            return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: false));
        }));

    private async Task<ArmResult> PutImageAsync(ArmRequest request, CancellationToken cancellationToken)
    {
        var properties = request.Body?["properties"] as JsonObject
            ?? throw ArmErrors.InvalidRequestContent("The request content must have 'properties' with 'vhd' or 'vm'.");
        var vhd = properties["vhd"] as JsonObject;
        var vm = properties["vm"] as JsonObject;
        if ((vhd is null) == (vm is null))
        {
            throw new ArmException(400, "InvalidParameter", "Exactly one of 'properties.vhd' and 'properties.vm' must be given to create a custom image.");
        }

        var (lab, account) = context.Locked(() =>
        {
            var l = FindLab(request);
            return (l, l.StorageAccountName);
        });

        int? sizeGB = null;
        string? imageName = null;
        if (vhd is not null)
        {
            imageName = Json.String(vhd["imageName"])
                ?? throw new ArmException(400, "InvalidParameter", "'properties.vhd.imageName' is required.");
            var blob = await ResolveLabVhdAsync(lab, account, imageName, cancellationToken).ConfigureAwait(false);
            sizeGB = (int)Math.Ceiling(blob.ModelledLength / (1024.0 * 1024 * 1024));
        }

        var name = request.Names[1];
        var osTypeText = Json.String(vhd?["osType"]) ?? (vm?["linuxOsInfo"] is not null ? "Linux" : "Windows");
        if (!Enum.TryParse<OsType>(osTypeText, ignoreCase: true, out var osType))
        {
            throw new ArmException(400, "InvalidParameter", $"'{osTypeText}' is not a valid osType (Windows, Linux).");
        }

        return context.Locked(() =>
        {
            if (lab.Images.TryGetValue(name, out var existing) && existing.ProvisioningState is "Creating" or "Deleting")
            {
                throw ArmErrors.Conflict("Conflict", $"The custom image '{name}' is being {existing.ProvisioningState.ToLowerInvariant()}; another operation on it is in progress.");
            }

            string? sourceVmId = null;
            string? osState = null;
            if (vm is not null)
            {
                sourceVmId = Json.String(vm["sourceVmId"]) ?? throw new ArmException(400, "InvalidParameter", "'properties.vm.sourceVmId' is required.");
                var vmName = sourceVmId.TrimEnd('/').Split('/')[^1];
                var source = lab.Vms.GetValueOrDefault(vmName);
                if (source is null || !source.Id.Equals(sourceVmId, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArmException(400, "InvalidSourceVm", $"The source VM '{sourceVmId}' was not found in lab '{lab.Name}'.");
                }

                osType = source.OsType;
                osState = Json.String(vm["windowsOsInfo"]?["windowsOsState"]) ?? Json.String(vm["linuxOsInfo"]?["linuxOsState"])
                    ?? (osType == OsType.Windows ? "NonSysprepped" : "NonDeprovisioned");
                sizeGB = context.World.Disks.GetValueOrDefault(context.World.ComputeVms[source.ComputeId].OsDiskId)?.SizeGB;
            }

            var image = new CustomImage
            {
                Lab = lab,
                Name = name,
                OsType = osType,
                Author = request.Principal.DisplayName,
                CreationDate = context.Clock.UtcNow,
                UniqueIdentifier = Guid.NewGuid().ToString(),
                Description = Json.String(properties["description"]),
                ProvisioningState = "Creating",
                Tags = Json.ReadTags(request.Body) ?? new(StringComparer.Ordinal),
                VhdImageName = imageName,
                VhdSysPrep = vhd?["sysPrep"]?.GetValue<bool>() ?? false,
                SourceVmId = sourceVmId,
                OsState = osState,
                SizeGB = sizeGB,
            };
            var created = existing is null;
            lab.Images[name] = image;
            var duration = vhd is not null ? context.Durations.CustomImageFromVhd : context.Durations.CustomImageFromVm;
            var op = context.Operations.Start(Ns, lab.SubscriptionId, lab.Location, request.Match.Route.Operation, image.Id, duration,
                () =>
                {
                    // final-state-via: location: the Location URL answers with the image once done.
                    image.ProvisioningState = "Succeeded";
                    return ImageJson(image);
                },
                () => image.ProvisioningState = "Failed",
                request.Fault is not null);
            var result = created ? ArmResult.Created(ImageJson(image)) : ArmResult.WithStatus(200, ImageJson(image));
            return result.With(context.OperationHeaders(request, op, asyncOperationHeader: false));
        });
    }

    /// <summary>A custom image's VHD must be a page blob in the lab's own storage account, with no copy pending.</summary>
    private async Task<Storage.StoredBlob> ResolveLabVhdAsync(Lab lab, string account, string imageName, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(imageName, UriKind.Absolute, out var uri))
        {
            throw new ArmException(400, "InvalidParameter", $"'properties.vhd.imageName' must be the URI of a VHD blob, not '{imageName}'.");
        }

        var endpoint = context.Blobs.GetAccountEndpoint(account).AbsoluteUri;
        var path = uri.GetLeftPart(UriPartial.Path);
        if (!path.StartsWith(endpoint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmException(400, "InvalidStorageAccountForLab",
                $"Invalid storage account for lab. The VHD '{path}' is not in the storage account of lab '{lab.Name}'. Custom images can only be created from VHDs in the lab's storage account '{account}' ({endpoint}).");
        }

        var relative = Uri.UnescapeDataString(path[endpoint.Length..]);
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == relative.Length - 1)
        {
            throw new ArmException(400, "InvalidParameter", $"'{path}' does not name a blob (container/name) in the lab's storage account.");
        }

        var container = relative[..slash];
        var name = relative[(slash + 1)..];
        var blobs = await context.Blobs.ListBlobsAsync(account, container, cancellationToken).ConfigureAwait(false);
        var blob = blobs.FirstOrDefault(b => b.Name.Equals(name, StringComparison.Ordinal))
            ?? throw new ArmException(400, "InvalidVhd", $"The VHD '{path}' was not found in the lab's storage account '{account}'.");
        if (!blob.IsPageBlob)
        {
            throw new ArmException(400, "InvalidVhd", $"The VHD '{path}' is not a page blob. A custom image needs a fixed-size VHD stored as a page blob.");
        }

        if (blob.CopyStatus is { } copy && !copy.Equals("Success", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmException(400, "InvalidVhd", $"The VHD '{path}' is not ready: its copy status is '{copy}'.");
        }

        return blob;
    }

    // ---- operations ----

    private Task<ArmResult> GetOperationAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var op = context.FindOperation(request, Ns);

            switch (op.Status)
            {
                case OperationStatus.InProgress:
                    return ArmResult.Accepted().With(context.OperationHeaders(request, op, asyncOperationHeader: false));
                case OperationStatus.Succeeded:
                    return ArmResult.Ok(op.Result ?? new JsonObject { ["status"] = "Succeeded", ["statusCode"] = "OK" });
                default:
                    var failed = new ArmException(400, op.ErrorCode ?? "OperationFailed", op.ErrorMessage ?? "The operation failed.");
                    throw failed;
            }
        }));

    // ---- lookups and representations ----

    private Lab FindLab(ArmRequest request) =>
        context.World.FindLab(request.SubscriptionId!, request.ResourceGroup!, request.Names[0])
        ?? throw ArmErrors.ResourceNotFound("Microsoft.DevTestLab/labs", request.Names[0], request.ResourceGroup!);

    private LabVm FindVm(ArmRequest request)
    {
        var lab = FindLab(request);
        return lab.Vms.GetValueOrDefault(request.Names[1])
            ?? throw ArmErrors.ResourceNotFound("Microsoft.DevTestLab/labs/virtualmachines", lab.Name + "/" + request.Names[1], request.ResourceGroup!);
    }

    private CustomImage FindImage(ArmRequest request)
    {
        var lab = FindLab(request);
        return lab.Images.GetValueOrDefault(request.Names[1])
            ?? throw ArmErrors.ResourceNotFound("Microsoft.DevTestLab/labs/customimages", lab.Name + "/" + request.Names[1], request.ResourceGroup!);
    }

    /// <summary>A start or stop while another one runs (or while the VM is deleted) is refused with 409.</summary>
    private static void EnsureNotInTransition(LabVm vm, ComputeVm computeVm)
    {
        if (vm.Deleting || computeVm.PowerState is VmPowerState.Starting or VmPowerState.Stopping or VmPowerState.Deallocating)
        {
            throw ArmErrors.Conflict(
                "Conflict",
                $"The operation cannot be performed on virtual machine '{vm.Name}' because another operation is in progress on it (state '{(vm.Deleting ? "Deleting" : ComputeHandlers.LastKnownPowerState(computeVm.PowerState))}'). Retry when it has completed.");
        }
    }

    private static bool ExpandsComputeVm(ArmRequest request) =>
        request.QueryValue("$expand") is { } expand && expand.Contains("computeVm", StringComparison.OrdinalIgnoreCase);

    internal static JsonNode LabJson(Lab lab) => new JsonObject
    {
        ["properties"] = new JsonObject
        {
            ["defaultStorageAccount"] = lab.StorageAccountId,
            ["defaultPremiumStorageAccount"] = lab.StorageAccountId,
            ["artifactsStorageAccount"] = lab.StorageAccountId,
            ["premiumDataDiskStorageAccount"] = lab.StorageAccountId,
            ["vaultName"] = lab.VaultName,
            ["labStorageType"] = "Premium",
            ["mandatoryArtifactsResourceIdsLinux"] = new JsonArray(),
            ["mandatoryArtifactsResourceIdsWindows"] = new JsonArray(),
            ["createdDate"] = ArmContext.Time(lab.CreatedDate),
            ["premiumDataDisks"] = "Disabled",
            ["environmentPermission"] = "Reader",
            ["announcement"] = new JsonObject { ["title"] = string.Empty, ["markdown"] = string.Empty, ["enabled"] = "Disabled", ["expired"] = false },
            ["support"] = new JsonObject { ["enabled"] = "Disabled", ["markdown"] = string.Empty },
            ["provisioningState"] = "Succeeded",
            ["uniqueIdentifier"] = lab.UniqueIdentifier,
        },
        ["id"] = lab.Id,
        ["name"] = lab.Name,
        ["type"] = "Microsoft.DevTestLab/labs",
        ["location"] = lab.Location,
        ["tags"] = Json.Tags(lab.Tags),
    };

    private JsonObject VmJson(LabVm vm, bool expandCompute)
    {
        var computeVm = context.World.ComputeVms.GetValueOrDefault(vm.ComputeId);
        var network = $"{vm.Lab.Id}/virtualnetworks/Dtl{vm.Lab.Name}";
        var properties = new JsonObject
        {
            ["ownerObjectId"] = string.Empty,
            ["ownerUserPrincipalName"] = string.Empty,
            ["createdByUserId"] = string.Empty,
            ["createdByUser"] = string.Empty,
            ["createdDate"] = ArmContext.Time(vm.CreatedDate),
            ["computeId"] = vm.ComputeId,
            ["notes"] = vm.Notes ?? string.Empty,
            ["osType"] = vm.OsType.ToString(),
            ["size"] = vm.Size,
            ["userName"] = vm.UserName,
            ["labSubnetName"] = $"Dtl{vm.Lab.Name}Subnet",
            ["labVirtualNetworkId"] = network,
            ["disallowPublicIpAddress"] = true,
            ["artifactDeploymentStatus"] = new JsonObject { ["artifactsApplied"] = 0, ["totalArtifacts"] = 0 },
            ["galleryImageReference"] = new JsonObject
            {
                ["offer"] = vm.GalleryImage.Offer,
                ["publisher"] = vm.GalleryImage.Publisher,
                ["sku"] = vm.GalleryImage.Sku,
                ["osType"] = vm.OsType.ToString(),
                ["version"] = vm.GalleryImage.Version,
            },
            ["networkInterface"] = new JsonObject(),
            ["allowClaim"] = false,
            ["storageType"] = "Standard",
            ["virtualMachineCreationSource"] = "FromGalleryImage",
            ["dataDiskParameters"] = new JsonArray(),
            ["lastKnownPowerState"] = computeVm is null ? "Unknown" : ComputeHandlers.LastKnownPowerState(computeVm.PowerState),
            ["provisioningState"] = vm.Deleting ? "Deleting" : vm.ProvisioningState,
            ["uniqueIdentifier"] = vm.UniqueIdentifier,
        };
        if (expandCompute && computeVm is not null)
        {
            properties["computeVm"] = new JsonObject
            {
                ["statuses"] = ComputeHandlers.Statuses(computeVm, withTimes: false),
                ["osType"] = computeVm.OsType.ToString(),
                ["vmSize"] = computeVm.Size,
                ["networkInterfaceId"] = computeVm.NetworkInterfaceId,
                ["osDiskId"] = computeVm.OsDiskId,
                ["dataDiskIds"] = new JsonArray(),
                ["dataDisks"] = new JsonArray(),
            };
        }

        return new JsonObject
        {
            ["properties"] = properties,
            ["id"] = vm.Id,
            ["name"] = vm.Name,
            ["type"] = "Microsoft.DevTestLab/labs/virtualMachines",
            ["location"] = vm.Lab.Location,
            ["tags"] = Json.Tags(vm.Tags),
        };
    }

    internal static JsonNode ImageJson(CustomImage image)
    {
        var properties = new JsonObject();
        if (image.SourceVmId is not null)
        {
            properties["vm"] = new JsonObject
            {
                [image.OsType == OsType.Linux ? "linuxOsInfo" : "windowsOsInfo"] = new JsonObject
                {
                    [image.OsType == OsType.Linux ? "linuxOsState" : "windowsOsState"] = image.OsState,
                },
                ["sourceVmId"] = image.SourceVmId,
            };
        }

        if (image.VhdImageName is not null)
        {
            properties["vhd"] = new JsonObject
            {
                ["imageName"] = image.VhdImageName,
                ["sysPrep"] = image.VhdSysPrep,
                ["osType"] = image.OsType.ToString(),
            };
        }

        properties["description"] = image.Description ?? string.Empty;
        properties["author"] = image.Author;
        properties["creationDate"] = ArmContext.Time(image.CreationDate);
        properties["provisioningState"] = image.ProvisioningState;
        properties["uniqueIdentifier"] = image.UniqueIdentifier;
        return new JsonObject
        {
            ["id"] = image.Id,
            ["name"] = image.Name,
            ["type"] = "Microsoft.DevTestLab/labs/customImages",
            ["location"] = image.Lab.Location,
            ["properties"] = properties,
            ["tags"] = Json.Tags(image.Tags),
        };
    }
}
