using Azure.Core;
using Azure.Identity;

namespace ImageFactory.Engine.Azure;

/// <summary>
/// A token handed over by the host (e.g. Get-AzAccessToken of the Az context already signed in), with a way to ask
/// for a fresh one. The token lives in memory only and is never written anywhere.
/// </summary>
public sealed class ExternalAccessToken
{
    public ExternalAccessToken(string token, DateTimeOffset expiresOn, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
        ExpiresOn = expiresOn;
        Source = source;
    }

    internal string Token { get; }

    public DateTimeOffset ExpiresOn { get; }

    /// <summary>Where it came from, for verbose output (never the token itself).</summary>
    public string Source { get; }

    /// <summary>Asks the host for a fresh token (null when it has none); called from any thread.</summary>
    public Func<CancellationToken, Task<ExternalAccessToken?>>? Refresh { get; init; }

    public override string ToString() => $"Access token from {Source}, expires {ExpiresOn:u}";
}

/// <summary>
/// Builds the credential chain: a token from the host's Az context when there is one, then Azure.Identity's
/// environment, workload identity, managed identity and Azure CLI credentials, all against the environment's
/// authority. For a custom authority (the local Azure, Azure Stack) instance discovery is disabled, since it would
/// ask the public cloud's discovery endpoint first.
/// </summary>
public static class FactoryCredentials
{
    public static TokenCredential Create(FactoryAzureEnvironment environment, ExternalAccessToken? hostToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var sources = new List<TokenCredential>();
        if (hostToken is not null)
        {
            sources.Add(new ExternalTokenCredential(hostToken));
        }

        sources.Add(new EnvironmentCredential(new EnvironmentCredentialOptions
        {
            AuthorityHost = environment.AuthorityHost,
            DisableInstanceDiscovery = environment.IsCustom,
        }));
        sources.Add(new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions
        {
            AuthorityHost = environment.AuthorityHost,
            DisableInstanceDiscovery = environment.IsCustom,
        }));
        sources.Add(new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(ManagedIdentityId.SystemAssigned)));
        sources.Add(new AzureCliCredential(new AzureCliCredentialOptions { AuthorityHost = environment.AuthorityHost }));
        return new ChainedTokenCredential([.. sources]);
    }

    /// <summary>
    /// Serves the host's token; from five minutes before it expires it asks the host for a fresh one (at most every
    /// 30 seconds), and steps aside for the next credential only once the token it has is about to expire.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Reliability", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
    private sealed class ExternalTokenCredential(ExternalAccessToken initial) : TokenCredential
    {
        private readonly Func<CancellationToken, Task<ExternalAccessToken?>>? refresh = initial.Refresh;
        private static readonly TimeSpan RefreshWindow = TimeSpan.FromMinutes(5);
        private static readonly TimeSpan UsableMargin = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan RefreshBackoff = TimeSpan.FromSeconds(30);

        private readonly SemaphoreSlim gate = new(1, 1);
        private ExternalAccessToken current = initial;
        private DateTimeOffset lastRefresh = DateTimeOffset.MinValue;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var token = Volatile.Read(ref current);
            if (token.ExpiresOn - RefreshWindow > DateTimeOffset.UtcNow)
            {
                return new AccessToken(token.Token, token.ExpiresOn);
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                token = current;
                if (refresh is not null && token.ExpiresOn - RefreshWindow <= DateTimeOffset.UtcNow
                    && DateTimeOffset.UtcNow - lastRefresh >= RefreshBackoff)
                {
                    lastRefresh = DateTimeOffset.UtcNow;
                    ExternalAccessToken? renewed = null;
                    try
                    {
                        renewed = await refresh(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // The host could not give a fresh token now; the current one serves while it lasts.
                    }

                    if (renewed is not null && renewed.ExpiresOn > token.ExpiresOn)
                    {
                        Volatile.Write(ref current, renewed);
                        token = renewed;
                    }
                }

                if (token.ExpiresOn - UsableMargin > DateTimeOffset.UtcNow)
                {
                    return new AccessToken(token.Token, token.ExpiresOn);
                }

                throw new CredentialUnavailableException(
                    $"The {token.Source} token expired at {token.ExpiresOn:u} and the host gave no fresh one; trying the next credential.");
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
