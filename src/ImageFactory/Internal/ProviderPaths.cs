using System.Management.Automation;

namespace ImageFactory.Internal;

/// <summary>Turns what the user typed (relative, PSDrive-qualified, PSPath) into a file-system path.</summary>
internal static class ProviderPaths
{
    /// <summary>
    /// Resolves <paramref name="path"/> against the session's current location without requiring it to exist
    /// (callers report a missing folder as a finding of their own). Terminates when the path is not on the
    /// FileSystem provider.
    /// </summary>
    internal static string ResolveFileSystemPath(PSCmdlet cmdlet, string path, string parameterName)
    {
        var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException(
                    $"-{parameterName} '{path}' is on the {provider.Name} provider; it must name a folder on the file system."),
                ErrorIds.PathNotFileSystem,
                ErrorCategory.InvalidArgument,
                path));
        }

        return resolved;
    }
}
