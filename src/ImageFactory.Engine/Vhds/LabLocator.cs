using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Vhds;

/// <summary>The lab was not found, or its name is ambiguous; the message says what was searched.</summary>
public sealed class LabNotFoundException : Exception
{
    public LabNotFoundException()
    {
    }

    public LabNotFoundException(string message)
        : base(message)
    {
    }

    public LabNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool IsAmbiguous { get; init; }
}

/// <summary>Finds a lab by name: in its resource group when given, else across the subscription.</summary>
public static class LabLocator
{
    public static async Task<LabInfo> FindAsync(
        ILabGateway labs, string subscriptionId, string labName, string? resourceGroup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labs);
        if (!string.IsNullOrEmpty(resourceGroup))
        {
            return await labs.GetLabAsync(subscriptionId, resourceGroup, labName, cancellationToken).ConfigureAwait(false)
                ?? throw new LabNotFoundException(
                    $"Lab '{labName}' was not found in resource group '{resourceGroup}' of subscription '{subscriptionId}'.");
        }

        var matches = (await labs.ListLabsAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
            .Where(lab => string.Equals(lab.Name, labName, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new LabNotFoundException(
                $"Lab '{labName}' was not found among the DevTest Labs labs of subscription '{subscriptionId}' (all resource groups searched)."),
            _ => throw new LabNotFoundException(
                $"Lab name '{labName}' is ambiguous in subscription '{subscriptionId}': it exists in resource groups " +
                $"{string.Join(", ", matches.Select(lab => $"'{lab.ResourceGroup}'"))}. Give -ResourceGroupName.")
            {
                IsAmbiguous = true,
            },
        };
    }
}
