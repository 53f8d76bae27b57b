using System.Globalization;
using System.Text;

namespace ImageFactory.Engine.Configuration;

/// <summary>
/// One problem found in a factory configuration. Immutable, so it can be handed to any thread or cached.
/// </summary>
public sealed class ConfigurationFinding
{
    /// <summary>Creates a finding.</summary>
    /// <param name="severity">Error or warning.</param>
    /// <param name="code">Stable identifier, one of <see cref="FindingCodes"/>.</param>
    /// <param name="file">File relative to the configuration root, forward slashes ("." for the root itself).</param>
    /// <param name="fullPath">Absolute path of the file or folder.</param>
    /// <param name="line">1-based line, when the finding points into the file.</param>
    /// <param name="position">1-based column (in characters), when the finding points into the file.</param>
    /// <param name="jsonPath">Path of the offending JSON element, e.g. <c>$.Labs[0].SubscriptionId</c>.</param>
    /// <param name="message">Human-readable text naming the file, field and offending value.</param>
    public ConfigurationFinding(
        FindingSeverity severity,
        string code,
        string file,
        string fullPath,
        int? line,
        int? position,
        string? jsonPath,
        string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(fullPath);
        ArgumentException.ThrowIfNullOrEmpty(message);
        Severity = severity;
        Code = code;
        File = file;
        FullPath = fullPath;
        Line = line;
        Position = position;
        JsonPath = jsonPath;
        Message = message;
    }

    /// <summary>Error or warning.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>Stable identifier, one of <see cref="FindingCodes"/>.</summary>
    public string Code { get; }

    /// <summary>File relative to the configuration root with forward slashes, e.g. <c>GoldenImages/Win2016/Datacenter.json</c>.</summary>
    public string File { get; }

    /// <summary>Absolute path of the file or folder the finding is about.</summary>
    public string FullPath { get; }

    /// <summary>1-based line number, or null when the finding is about the file as a whole.</summary>
    public int? Line { get; }

    /// <summary>1-based column in characters, or null when the finding is about the file as a whole.</summary>
    public int? Position { get; }

    /// <summary>JSON path of the offending element (for a missing property: the property that should be there).</summary>
    public string? JsonPath { get; }

    /// <summary>Human-readable description naming the file, field and offending value.</summary>
    public string Message { get; }

    /// <summary>True for <see cref="FindingSeverity.Error"/>.</summary>
    public bool IsError => Severity == FindingSeverity.Error;

    /// <summary>
    /// Formats the finding like a compiler diagnostic (<c>Labs.json(5,25): error LabNameInvalid: ...</c>)
    /// because CI systems such as Azure Pipelines turn that shape into clickable annotations.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder(File);
        if (Line is int line)
        {
            text.Append(CultureInfo.InvariantCulture, $"({line},{Position ?? 1})");
        }

        text.Append(": ")
            .Append(Severity == FindingSeverity.Error ? "error " : "warning ")
            .Append(Code)
            .Append(": ")
            .Append(Message);
        return text.ToString();
    }
}
