namespace ImageFactory.Internal;

/// <summary>
/// Every ErrorRecord id the module raises, in one place, so scripts can match on
/// <c>$_.FullyQualifiedErrorId</c> and the ids never drift between cmdlets.
/// </summary>
internal static class ErrorIds
{
    /// <summary>Prefix of configuration errors; the finding's code follows, e.g. <c>Configuration.SubscriptionIdNotGuid</c>.</summary>
    internal const string ConfigurationPrefix = "Configuration.";

    internal const string PathNotFileSystem = "PathNotFileSystem";
}
