using Azure.Identity;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Execution;

/// <summary>
/// Maps engine and SDK exceptions to precise ErrorRecord ids and categories. Lives in the engine because the SDK's
/// exception types live in the engine's private load context; the cmdlets only see the result.
/// </summary>
public static class FailureClassifier
{
    public static (string ErrorId, FailureCategory Category) Classify(Exception exception) => exception switch
    {
        LabNotFoundException { IsAmbiguous: true } => ("LabNameAmbiguous", FailureCategory.InvalidArgument),
        LabNotFoundException => ("LabNotFound", FailureCategory.ObjectNotFound),
        CredentialUnavailableException => ("AzureCredentialUnavailable", FailureCategory.AuthenticationError),
        AuthenticationFailedException => ("AzureAuthenticationFailed", FailureCategory.AuthenticationError),
        AzureRequestException { Status: 401 } => ("AzureAuthenticationFailed", FailureCategory.AuthenticationError),
        AzureRequestException { Status: 403 } => ("AzureAccessDenied", FailureCategory.PermissionDenied),
        AzureRequestException { Status: 404 } => ("AzureResourceNotFound", FailureCategory.ObjectNotFound),
        AzureRequestException { Status: 409 } => ("AzureConflict", FailureCategory.ResourceBusy),
        AzureRequestException { Status: 429 } => ("AzureThrottled", FailureCategory.ResourceBusy),
        AzureRequestException { Status: 0 } => ("AzureOperationFailed", FailureCategory.InvalidOperation),
        AzureRequestException => ("AzureRequestFailed", FailureCategory.ConnectionError),
        global::Azure.RequestFailedException { Status: 403 } => ("StorageAccessDenied", FailureCategory.PermissionDenied),
        global::Azure.RequestFailedException => ("StorageRequestFailed", FailureCategory.ConnectionError),
        VhdCopyException => ("VhdCopyFailed", FailureCategory.InvalidResult),
        HttpRequestException => ("AzureUnreachable", FailureCategory.ConnectionError),
        TimeoutException => ("OperationTimedOut", FailureCategory.OperationTimeout),

        // Only reached for a cancellation nobody asked for (callers handle the user's own): a request's network timeout.
        OperationCanceledException => ("OperationTimedOut", FailureCategory.OperationTimeout),
        _ => ("UnexpectedFailure", FailureCategory.NotSpecified),
    };
}
