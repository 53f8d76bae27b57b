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

    /// <summary>Serves the host's token until shortly before it expires, then steps aside for the next credential.</summary>
    private sealed class ExternalTokenCredential(ExternalAccessToken token) : TokenCredential
    {
        private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(2);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (token.ExpiresOn - ExpiryMargin <= DateTimeOffset.UtcNow)
            {
                throw new CredentialUnavailableException(
                    $"The {token.Source} token expired at {token.ExpiresOn:u}; trying the next credential.");
            }

            return new AccessToken(token.Token, token.ExpiresOn);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
