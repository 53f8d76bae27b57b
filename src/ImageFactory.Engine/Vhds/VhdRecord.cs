using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImageFactory.Engine.Vhds;

/// <summary>
/// The record saved next to each VHD in the factory store (<c>{id}.json</c> beside <c>{id}.vhd</c>), in the original
/// image factory's format (imageName, imagePath, description, osType, vhdFileName, timestamp) so stores written by the
/// sample scripts and by this module can be read by both. This module adds <c>sysPrep</c> (absent in old records:
/// Windows VHDs were generalized, Linux ones never marked sysprepped) and <c>sourceVmId</c> (the lab VM saved, so a
/// re-run does not save it twice), and writes timestamps as ISO 8601 UTC.
/// </summary>
public sealed record VhdRecord(
    string ImageName,
    string ImagePath,
    string? Description,
    string OsType,
    string VhdFileName,
    DateTimeOffset Timestamp,
    bool SysPrep,
    string? SourceVmId = null)
{
    /// <summary>The record's blob name: the VHD's file name with <c>.json</c> instead of <c>.vhd</c>.</summary>
    public string RecordFileName => Path.ChangeExtension(VhdFileName, ".json");

    /// <summary>The identity of the saved VHD: its file name without extension. Distribution tags images with it.</summary>
    public string SourceId => Path.GetFileNameWithoutExtension(VhdFileName);

    public bool IsSpecialized => !SysPrep;

    // The original wrote culture-formatted timestamps with (Get-Date).ToUniversalTime().ToString(); these are the
    // cultures build agents commonly run in, tried in order after ISO 8601.
    private static readonly CultureInfo[] LegacyTimestampCultures =
    [
        CultureInfo.InvariantCulture,
        CultureInfo.GetCultureInfo("en-US"),
        CultureInfo.GetCultureInfo("en-GB"),
        CultureInfo.GetCultureInfo("fr-FR"),
        CultureInfo.GetCultureInfo("de-DE"),
    ];

    public string ToJson()
    {
        var json = new JsonObject
        {
            ["imageName"] = ImageName,
            ["imagePath"] = ImagePath,
            ["description"] = Description ?? string.Empty,
            ["osType"] = OsType,
            ["vhdFileName"] = VhdFileName,
            ["timestamp"] = Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["sysPrep"] = SysPrep,
        };
        if (SourceVmId is not null)
        {
            json["sourceVmId"] = SourceVmId;
        }

        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads a record; throws <see cref="FormatException"/> naming the record and the field at fault.</summary>
    public static VhdRecord Parse(string json, string recordName)
    {
        ArgumentNullException.ThrowIfNull(json);

        // The original wrote records with Out-File (UTF-16 with a byte order mark in Windows PowerShell): a decoded
        // record may still start with the mark, which the JSON reader refuses.
        json = json.TrimStart('\uFEFF');
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }) as JsonObject;
        }
        catch (JsonException exception)
        {
            throw new FormatException($"VHD record '{recordName}' is not valid JSON: {exception.Message}", exception);
        }

        if (root is null)
        {
            throw new FormatException($"VHD record '{recordName}' is not a JSON object.");
        }

        var imageName = Required(root, "imageName", recordName);
        var imagePath = Required(root, "imagePath", recordName).Replace('\\', '/');
        var osType = Required(root, "osType", recordName);
        var vhdFileName = Required(root, "vhdFileName", recordName);
        var timestampText = Required(root, "timestamp", recordName);
        if (!TryParseTimestamp(timestampText, out var timestamp))
        {
            throw new FormatException($"VHD record '{recordName}' field 'timestamp' has value '{timestampText}', which is not a date.");
        }

        var isLinux = string.Equals(osType, "Linux", StringComparison.OrdinalIgnoreCase);
        bool sysPrep = root["sysPrep"] is JsonValue flag && flag.TryGetValue<bool>(out var value) ? value : !isLinux;
        return new VhdRecord(
            imageName,
            imagePath,
            root["description"] is JsonValue description && description.TryGetValue<string>(out var text) ? text : null,
            osType,
            vhdFileName,
            timestamp,
            sysPrep && !isLinux,
            root["sourceVmId"] is JsonValue vm && vm.TryGetValue<string>(out var vmId) ? vmId : null);
    }

    /// <summary>ISO 8601 first; then the original's culture-formatted UTC timestamps.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        if (DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp)
                && text.Contains('T', StringComparison.Ordinal))
        {
            timestamp = timestamp.ToUniversalTime();
            return true;
        }

        foreach (var culture in LegacyTimestampCultures)
        {
            if (DateTime.TryParse(text, culture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var legacy))
            {
                timestamp = new DateTimeOffset(DateTime.SpecifyKind(legacy, DateTimeKind.Utc));
                return true;
            }
        }

        timestamp = default;
        return false;
    }

    private static string Required(JsonObject root, string name, string recordName)
    {
        if (root[name] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        throw new FormatException($"VHD record '{recordName}' has no '{name}' field (or it is empty).");
    }
}
