using System.Text;
using System.Text.Json;

namespace ImageFactory.Engine.Configuration;

/// <summary>
/// A parsed JSON configuration file that remembers where every element starts, so findings about its content
/// can point at a line and column and not only at the file.
/// </summary>
/// <remarks>
/// Comments and trailing commas are accepted because PowerShell 7's <c>ConvertFrom-Json</c>, which read these files
/// before, accepts them. A UTF-8 byte order mark is skipped and UTF-16/UTF-32 files (with a byte order mark, as
/// Windows PowerShell's <c>Out-File</c> writes them) are transcoded first.
/// </remarks>
internal sealed class JsonSourceFile : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly byte[] utf8;
    private readonly int[] lineStarts;
    private readonly Dictionary<string, int> tokenOffsets;

    private JsonSourceFile(string relativePath, string fullPath, byte[] utf8, int[] lineStarts, JsonDocument document)
    {
        RelativePath = relativePath;
        FullPath = fullPath;
        this.utf8 = utf8;
        this.lineStarts = lineStarts;
        Document = document;
        tokenOffsets = MapTokenOffsets(utf8);
    }

    /// <summary>File relative to the configuration root, forward slashes.</summary>
    public string RelativePath { get; }

    public string FullPath { get; }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    /// <summary>
    /// Reads and parses a file. Returns null, after adding a finding, when the file cannot be read or is not JSON.
    /// </summary>
    public static JsonSourceFile? TryLoad(string fullPath, string relativePath, ICollection<ConfigurationFinding> findings)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.FileUnreadable, relativePath, fullPath, null, null, null,
                $"{relativePath}: the file cannot be read: {exception.Message}"));
            return null;
        }

        var utf8 = ToUtf8(raw);
        var lineStarts = FindLineStarts(utf8);
        try
        {
            var document = JsonDocument.Parse(utf8, DocumentOptions);
            return new JsonSourceFile(relativePath, fullPath, utf8, lineStarts, document);
        }
        catch (JsonException exception)
        {
            var (line, position) = ToLineAndPosition(utf8, lineStarts, exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0);
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.JsonMalformed, relativePath, fullPath, line, position, null,
                $"{relativePath}: malformed JSON at line {line}, position {position}: {DescribeJsonError(exception)}"));
            return null;
        }
    }

    /// <summary>
    /// Creates a finding about this file. <paramref name="locationPath"/> is the element whose start is reported
    /// (for a missing property: the enclosing object); it defaults to <paramref name="jsonPath"/>.
    /// </summary>
    public ConfigurationFinding CreateFinding(FindingSeverity severity, string code, string jsonPath, string message, string? locationPath = null)
    {
        int? line = null;
        int? position = null;
        if (tokenOffsets.TryGetValue(locationPath ?? jsonPath, out var offset))
        {
            var lineIndex = FindLineIndex(offset);
            line = lineIndex + 1;
            position = CharacterColumn(utf8, lineStarts[lineIndex], offset);
        }

        return new ConfigurationFinding(severity, code, RelativePath, FullPath, line, position, jsonPath, message);
    }

    public void Dispose() => Document.Dispose();

    private static byte[] ToUtf8(byte[] raw)
    {
        ReadOnlySpan<byte> bytes = raw;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return raw[3..];
        }

        Encoding? encoding = null;
        var bomLength = 0;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            (encoding, bomLength) = (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            (encoding, bomLength) = (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            (encoding, bomLength) = (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            (encoding, bomLength) = (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2);
        }

        // Without a BOM the bytes go to the parser untouched, so invalid UTF-8 is reported rather than replaced.
        return encoding is null ? raw : Encoding.UTF8.GetBytes(encoding.GetString(raw, bomLength, raw.Length - bomLength));
    }

    // Utf8JsonReader counts lines by '\n' only (a lone '\r' is plain whitespace to it); do the same so that the
    // line numbers of parse errors and of semantic findings agree.
    private static int[] FindLineStarts(byte[] utf8)
    {
        var starts = new List<int> { 0 };
        for (var index = 0; index < utf8.Length; index++)
        {
            if (utf8[index] == (byte)'\n')
            {
                starts.Add(index + 1);
            }
        }

        return [.. starts];
    }

    private static (int Line, int Position) ToLineAndPosition(byte[] utf8, int[] lineStarts, long lineNumber, long bytePositionInLine)
    {
        var lineIndex = (int)Math.Clamp(lineNumber, 0, lineStarts.Length - 1);
        var lineStart = lineStarts[lineIndex];
        var offset = (int)Math.Clamp(lineStart + bytePositionInLine, lineStart, utf8.Length);
        return (lineIndex + 1, CharacterColumn(utf8, lineStart, offset));
    }

    // The reader reports byte offsets; editors count characters, which differ as soon as a line holds non-ASCII text.
    private static int CharacterColumn(byte[] utf8, int lineStart, int offset) =>
        Encoding.UTF8.GetCharCount(utf8, lineStart, offset - lineStart) + 1;

    private static string DescribeJsonError(JsonException exception)
    {
        // The parser's message ends with its own 0-based "LineNumber: x | BytePositionInLine: y."; that would
        // contradict the 1-based position reported here, so cut it off.
        var message = exception.Message;
        var marker = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (marker >= 0 ? message[..marker] : message).Trim();
    }

    private static Dictionary<string, int> MapTokenOffsets(byte[] utf8)
    {
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var containers = new Stack<Container>();
        string? propertyName = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    propertyName = reader.GetString();
                    continue;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    containers.Pop();
                    continue;
                default:
                    break;
            }

            string path;
            if (containers.Count == 0)
            {
                path = JsonPaths.Root;
            }
            else
            {
                var parent = containers.Peek();
                path = parent.IsArray ? JsonPaths.Index(parent.Path, parent.NextIndex++) : JsonPaths.Property(parent.Path, propertyName ?? string.Empty);
            }

            // Keep the first occurrence of a duplicated property, the one the validator reads as well.
            offsets.TryAdd(path, checked((int)reader.TokenStartIndex));
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                containers.Push(new Container(path, reader.TokenType == JsonTokenType.StartArray));
            }
        }

        return offsets;
    }

    private int FindLineIndex(int offset)
    {
        var index = Array.BinarySearch(lineStarts, offset);
        return index >= 0 ? index : ~index - 1;
    }

    private sealed class Container(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }
    }
}
