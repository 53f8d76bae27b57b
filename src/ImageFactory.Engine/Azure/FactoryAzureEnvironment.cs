namespace ImageFactory.Engine.Azure;

/// <summary>
/// Which Azure to talk to: the Resource Manager endpoint, the audience tokens are requested for, and the Entra ID
/// authority. The three national clouds are built in; anything else (Azure Stack, the local Azure) is custom.
/// </summary>
public sealed record FactoryAzureEnvironment(
    string Name,
    Uri ResourceManagerEndpoint,
    string ResourceManagerAudience,
    Uri AuthorityHost,
    bool IsCustom)
{
    public const string AzureCloudName = "AzureCloud";
    public const string AzureUSGovernmentName = "AzureUSGovernment";
    public const string AzureChinaCloudName = "AzureChinaCloud";
    public const string CustomName = "Custom";

    public static FactoryAzureEnvironment AzureCloud { get; } = new(
        AzureCloudName,
        new Uri("https://management.azure.com/"),
        "https://management.azure.com/",
        new Uri("https://login.microsoftonline.com/"),
        IsCustom: false);

    public static FactoryAzureEnvironment AzureUSGovernment { get; } = new(
        AzureUSGovernmentName,
        new Uri("https://management.usgovcloudapi.net/"),
        "https://management.usgovcloudapi.net/",
        new Uri("https://login.microsoftonline.us/"),
        IsCustom: false);

    public static FactoryAzureEnvironment AzureChinaCloud { get; } = new(
        AzureChinaCloudName,
        new Uri("https://management.chinacloudapi.cn/"),
        "https://management.chinacloudapi.cn/",
        new Uri("https://login.chinacloudapi.cn/"),
        IsCustom: false);

    /// <summary>The scope a token is requested for: the audience followed by <c>/.default</c>, as ArmClient asks.</summary>
    public string DefaultScope => ResourceManagerAudience + "/.default";

    public static FactoryAzureEnvironment FromName(string name) => name switch
    {
        _ when string.Equals(name, AzureCloudName, StringComparison.OrdinalIgnoreCase) => AzureCloud,
        _ when string.Equals(name, AzureUSGovernmentName, StringComparison.OrdinalIgnoreCase) => AzureUSGovernment,
        _ when string.Equals(name, AzureChinaCloudName, StringComparison.OrdinalIgnoreCase) => AzureChinaCloud,
        _ => throw new ArgumentException(
            $"Unknown Azure environment '{name}'. Use {AzureCloudName}, {AzureUSGovernmentName}, {AzureChinaCloudName}, " +
            "or give a custom Resource Manager endpoint and authority.",
            nameof(name)),
    };

    /// <summary>A custom cloud (e.g. the local Azure). The audience defaults to the public cloud's, as Azure Stack Hub and the local Azure expect.</summary>
    public static FactoryAzureEnvironment Custom(Uri resourceManagerEndpoint, Uri authorityHost, string? audience = null)
    {
        ArgumentNullException.ThrowIfNull(resourceManagerEndpoint);
        ArgumentNullException.ThrowIfNull(authorityHost);
        if (resourceManagerEndpoint.Scheme != Uri.UriSchemeHttps || authorityHost.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException(
                $"The Resource Manager endpoint '{resourceManagerEndpoint}' and authority '{authorityHost}' must use https: " +
                "Azure SDK clients refuse to send tokens over plain http.");
        }

        return new FactoryAzureEnvironment(
            CustomName, resourceManagerEndpoint, audience ?? AzureCloud.ResourceManagerAudience, authorityHost, IsCustom: true);
    }
}
