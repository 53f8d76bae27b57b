namespace ImageFactory.Engine.Azure;

/// <summary>
/// An Azure request that failed: HTTP status, ARM error code and message, and what was asked (method and path,
/// never a query string, token, key or SAS).
/// </summary>
public sealed class AzureRequestException : Exception
{
    public AzureRequestException()
    {
    }

    public AzureRequestException(string message)
        : base(message)
    {
    }

    public AzureRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AzureRequestException(int status, string? errorCode, string message, string method, string resourcePath, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
        Method = method;
        ResourcePath = resourcePath;
    }

    /// <summary>The HTTP status, or 0 when the operation itself reported failure (a long-running operation ending Failed).</summary>
    public int Status { get; }

    public string? ErrorCode { get; }

    public string Method { get; } = string.Empty;

    public string ResourcePath { get; } = string.Empty;

    public bool IsNotFound => Status == 404;

    public bool IsAuthorizationFailure => Status is 401 or 403;
}
