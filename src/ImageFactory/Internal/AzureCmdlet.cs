using System.Management.Automation;
using System.Net;
using System.Security;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Internal;

/// <summary>
/// What every cmdlet of a factory lab shares: the lab parameters the original build task used
/// (-SubscriptionId, -DevTestLabName) on top of the connection to Azure.
/// </summary>
public abstract class AzureCmdlet : AzureConnectionCmdlet
{
    /// <summary>The subscription of the lab.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SubscriptionId { get; set; } = string.Empty;

    /// <summary>The DevTest Labs lab (the factory lab for save and cleanup).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LabName")]
    [ValidateNotNullOrEmpty]
    public string DevTestLabName { get; set; } = string.Empty;

    /// <summary>The lab's resource group; without it the lab is looked up by name in the subscription.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ResourceGroupName { get; set; }

    /// <summary>Finds the lab; a lab that cannot be found (or seen) stops the command.</summary>
    protected LabInfo FindLab(AzureSession azure) => FindLab(azure, SubscriptionId, DevTestLabName, ResourceGroupName);
}

/// <summary>
/// What every cmdlet that talks to Azure shares: the cloud to sign in to, the credential chain (the session's Az
/// context first), cancellation on Ctrl+C, and the pump that writes engine events on the pipeline thread.
/// </summary>
public abstract class AzureConnectionCmdlet : PSCmdlet, IDisposable
{
    private const string ResourceManagerEndpointVariable = "IMAGEFACTORY_RESOURCE_MANAGER_ENDPOINT";
    private const string AuthorityHostVariable = "AZURE_AUTHORITY_HOST";

    private readonly CancellationTokenSource stopping = new();
    private readonly EngineEventPump pump;
    private AzureSession? session;

    protected AzureConnectionCmdlet()
    {
        pump = new EngineEventPump(this);
    }

    /// <summary>The Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.</summary>
    [Parameter]
    [ValidateSet(
        FactoryAzureEnvironment.AzureCloudName,
        FactoryAzureEnvironment.AzureUSGovernmentName,
        FactoryAzureEnvironment.AzureChinaCloudName)]
    public string? Environment { get; set; }

    /// <summary>A custom Resource Manager endpoint (Azure Stack Hub, the local Azure); needs -AuthorityHost.</summary>
    [Parameter]
    public Uri? ResourceManagerEndpoint { get; set; }

    /// <summary>The Entra ID authority of a custom cloud.</summary>
    [Parameter]
    public Uri? AuthorityHost { get; set; }

    /// <summary>Cancelled when the user presses Ctrl+C; every engine await honours it.</summary>
    protected CancellationToken StopToken => stopping.Token;

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose()
    {
        stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The session (gateways over one ArmClient), created on first use on the pipeline thread.</summary>
    protected AzureSession GetSession()
    {
        if (session is not null)
        {
            return session;
        }

        var environment = ResolveEnvironment();
        var hostToken = TryGetAzContextToken(environment);
        WriteVerbose(hostToken is null
            ? $"Signing in to {environment.Name} ({environment.ResourceManagerEndpoint}) with Azure.Identity (environment, workload identity, managed identity, Azure CLI)."
            : $"Signing in to {environment.Name} ({environment.ResourceManagerEndpoint}) with the token of the session's Az context.");
        session = AzureSession.Connect(environment, hostToken);
        return session;
    }

    /// <summary>Finds a lab by name (in its resource group when given); one that cannot be found or seen stops the command.</summary>
    protected LabInfo FindLab(AzureSession azure, string subscriptionId, string labName, string? resourceGroupName) =>
        RunTerminating(token => LabLocator.FindAsync(azure.Labs, subscriptionId, labName, resourceGroupName, token), labName);

    /// <summary>Loads the configuration with the one loader; an invalid configuration stops the command.</summary>
    protected FactoryConfiguration LoadConfiguration(string configurationLocation) => ConfigurationErrors.Load(this, configurationLocation);

    /// <summary>Runs engine work on the thread pool, writing its events here; Ctrl+C cancels it.</summary>
    protected void RunEngine(Func<IEngineEventSink, CancellationToken, Task> work) =>
        pump.Run(work, StopToken);

    /// <summary>Awaits one engine call from the pipeline thread; a failure terminates the command with a precise id.</summary>
    protected T RunTerminating<T>(Func<CancellationToken, Task<T>> call, object? target)
    {
        T result = default!;
        try
        {
            // Through the pump, so that engine threads can still reach the pipeline thread (a token refresh).
            RunEngine(async (sink, token) => result = await call(token).ConfigureAwait(false));
            return result;
        }
        catch (Exception exception) when (exception is not PipelineStoppedException and not OutOfMemoryException)
        {
            var (errorId, category) = FailureClassifier.Classify(exception);
            ThrowTerminatingError(new ErrorRecord(exception, errorId, ErrorCategories.ToPowerShell(category), target));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// Called by the engine, on any thread, when the Az context's token nears its end: Get-AzAccessToken may only run
    /// on the pipeline thread, so the call is handed to the pump of the run in progress and awaited.
    /// </summary>
    private Task<ExternalAccessToken?> RefreshAzContextTokenAsync(FactoryAzureEnvironment environment, CancellationToken cancellationToken)
    {
        var sink = pump.ActiveSink;
        if (sink is null)
        {
            return Task.FromResult<ExternalAccessToken?>(null);
        }

        var refreshed = new TaskCompletionSource<ExternalAccessToken?>(TaskCreationOptions.RunContinuationsAsynchronously);
        sink.Post(new HostCallbackEvent(() =>
        {
            try
            {
                refreshed.TrySetResult(TryGetAzContextToken(environment));
            }
            catch (Exception exception) when (exception is RuntimeException or InvalidOperationException)
            {
                refreshed.TrySetException(exception);
            }
        }));
        return refreshed.Task.WaitAsync(cancellationToken);
    }

    private FactoryAzureEnvironment ResolveEnvironment()
    {
        var endpoint = ResourceManagerEndpoint ?? FromVariable(ResourceManagerEndpointVariable);
        if (endpoint is null || Environment is not null)
        {
            return FactoryAzureEnvironment.FromName(Environment ?? FactoryAzureEnvironment.AzureCloudName);
        }

        var authority = AuthorityHost ?? FromVariable(AuthorityHostVariable);
        if (authority is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"A custom Resource Manager endpoint ({endpoint}) needs -AuthorityHost (or ${AuthorityHostVariable})."),
                "AuthorityHostMissing",
                ErrorCategory.InvalidArgument,
                endpoint));
        }

        try
        {
            return FactoryAzureEnvironment.Custom(endpoint, authority!);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "CustomEnvironmentInvalid", ErrorCategory.InvalidArgument, endpoint));
            throw;
        }
    }

    private static Uri? FromVariable(string name) =>
        System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>
    /// The token of the Az context already signed in in this session (the Azure PowerShell task signs in before our
    /// script runs), taken in-process with Get-AzAccessToken: its Token is a string in older Az.Accounts and a
    /// SecureString in newer ones. Nothing is written anywhere; on any failure the rest of the chain is used.
    /// </summary>
    private ExternalAccessToken? TryGetAzContextToken(FactoryAzureEnvironment environment)
    {
        if (InvokeCommand.GetCommand("Get-AzAccessToken", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) is null)
        {
            return null;
        }

        try
        {
            if (InvokeCommand.GetCommand("Get-AzContext", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) is not null
                && InvokeCommand.InvokeScript("Get-AzContext").Count == 0)
            {
                return null;
            }

            var results = InvokeCommand.InvokeScript(
                useLocalScope: true,
                ScriptBlock.Create("param($resource) Get-AzAccessToken -ResourceUrl $resource -ErrorAction Stop"),
                input: null,
                environment.ResourceManagerAudience);
            if (results.Count == 0)
            {
                return null;
            }

            var result = results[0];
            var token = result.Properties["Token"]?.Value switch
            {
                string text => text,
                SecureString secure => new NetworkCredential(string.Empty, secure).Password,
                PSObject { BaseObject: SecureString secure } => new NetworkCredential(string.Empty, secure).Password,
                _ => null,
            };
            if (string.IsNullOrEmpty(token))
            {
                return null;
            }

            var expiresOn = result.Properties["ExpiresOn"]?.Value switch
            {
                DateTimeOffset value => value,
                DateTime value => new DateTimeOffset(value.ToUniversalTime()),
                PSObject { BaseObject: DateTimeOffset value } => value,
                _ => DateTimeOffset.UtcNow.AddMinutes(30),
            };
            return new ExternalAccessToken(token, expiresOn, "Az context (Get-AzAccessToken)")
            {
                Refresh = cancellationToken => RefreshAzContextTokenAsync(environment, cancellationToken),
            };
        }
        catch (RuntimeException exception)
        {
            WriteVerbose($"The Az context gave no token ({exception.Message}); using Azure.Identity instead.");
            return null;
        }
    }
}
