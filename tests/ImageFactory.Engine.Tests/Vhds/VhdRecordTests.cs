using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

public sealed class VhdRecordTests
{
    private static readonly DateTimeOffset Saved = new(2026, 11, 25, 17, 22, 33, TimeSpan.Zero);

    private static VhdRecord Sample(string osType = "Windows", bool sysPrep = true, string? description = "Visual Studio 2022") => new(
        "Win2022_VS2022-Nov-25-2026", "Win2022/VS2022.json", description, osType, "0123456789abcdef.vhd", Saved, sysPrep,
        "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.devtestlab/labs/factory/virtualmachines/vm1");

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var record = Sample();

        var parsed = VhdRecord.Parse(record.ToJson(), "0123456789abcdef.json");

        Assert.Equal(record, parsed);
        Assert.Equal("0123456789abcdef.json", parsed.RecordFileName);
        Assert.Equal("0123456789abcdef", parsed.SourceId);
    }

    [Fact]
    public void Round_trip_of_a_specialized_record()
    {
        var parsed = VhdRecord.Parse(Sample(sysPrep: false).ToJson(), "r.json");

        Assert.False(parsed.SysPrep);
        Assert.True(parsed.IsSpecialized);
    }

    [Fact]
    public void Writes_the_original_fields_and_an_iso_8601_utc_timestamp()
    {
        var local = new DateTimeOffset(2026, 11, 25, 18, 22, 33, TimeSpan.FromHours(1));
        var json = JsonNode.Parse((Sample() with { Timestamp = local }).ToJson())!.AsObject();

        foreach (var field in new[] { "imageName", "imagePath", "description", "osType", "vhdFileName", "timestamp" })
        {
            Assert.True(json.ContainsKey(field), field);
        }

        var timestamp = json["timestamp"]!.GetValue<string>();
        Assert.Equal("2026-11-25T17:22:33.0000000Z", timestamp);
        Assert.Equal(Saved, DateTimeOffset.ParseExact(timestamp, "O", CultureInfo.InvariantCulture));
        Assert.True(json["sysPrep"]!.GetValue<bool>());
    }

    [Fact]
    public void Writing_does_not_depend_on_the_current_culture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Contains("\"2026-11-25T17:22:33.0000000Z\"", Sample().ToJson(), StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Theory]
    [InlineData("11/25/2026 5:22:33 PM")] // en-US, as (Get-Date).ToUniversalTime().ToString() wrote it
    [InlineData("11/25/2026 17:22:33")] // invariant
    [InlineData("25/11/2026 17:22:33")] // en-GB, fr-FR
    [InlineData("25.11.2026 17:22:33")] // de-DE
    [InlineData("2026-11-25T17:22:33.0000000Z")]
    [InlineData("2026-11-25T17:22:33Z")]
    [InlineData("2026-11-25T18:22:33+01:00")]
    public void Reads_iso_and_the_originals_culture_formatted_timestamps(string text)
    {
        var parsed = VhdRecord.Parse(OriginalRecord(timestamp: text), "legacy.json");

        Assert.Equal(Saved, parsed.Timestamp);
        Assert.Equal(TimeSpan.Zero, parsed.Timestamp.Offset);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("en-US")]
    [InlineData("fr-FR")]
    public void Reading_does_not_depend_on_the_current_culture(string culture)
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo(culture);
            Assert.Equal(Saved, VhdRecord.Parse(OriginalRecord(timestamp: "25/11/2026 17:22:33"), "r.json").Timestamp);
            Assert.Equal(Saved, VhdRecord.Parse(OriginalRecord(timestamp: "11/25/2026 5:22:33 PM"), "r.json").Timestamp);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Theory]
    [InlineData("imageName")]
    [InlineData("imagePath")]
    [InlineData("osType")]
    [InlineData("vhdFileName")]
    [InlineData("timestamp")]
    public void A_missing_field_is_a_format_error_naming_the_record_and_the_field(string field)
    {
        var json = JsonNode.Parse(OriginalRecord())!.AsObject();
        json.Remove(field);

        var error = Assert.Throws<FormatException>(() => VhdRecord.Parse(json.ToJsonString(), "abc.json"));

        Assert.Contains("'abc.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_timestamp_is_a_format_error_naming_the_record_and_the_field()
    {
        var error = Assert.Throws<FormatException>(() => VhdRecord.Parse(OriginalRecord(timestamp: "yesterday"), "abc.json"));

        Assert.Contains("'abc.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'timestamp'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void Something_else_than_a_json_object_is_a_format_error_naming_the_record(string text)
    {
        var error = Assert.Throws<FormatException>(() => VhdRecord.Parse(text, "abc.json"));

        Assert.Contains("'abc.json'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_or_missing_description_is_fine()
    {
        var withNull = VhdRecord.Parse(OriginalRecord(description: null), "r.json");
        var json = JsonNode.Parse(OriginalRecord())!.AsObject();
        json.Remove("description");
        var without = VhdRecord.Parse(json.ToJsonString(), "r.json");

        Assert.Null(withNull.Description);
        Assert.Null(without.Description);
    }

    [Fact]
    public void A_null_description_is_written_as_an_empty_string()
    {
        var json = JsonNode.Parse(Sample(description: null).ToJson())!.AsObject();

        Assert.Equal(string.Empty, json["description"]!.GetValue<string>());
    }

    [Fact]
    public void A_linux_vhd_is_never_sysprepped_even_when_the_record_says_so()
    {
        var json = JsonNode.Parse(OriginalRecord(osType: "Linux"))!.AsObject();
        json["sysPrep"] = true;

        Assert.False(VhdRecord.Parse(json.ToJsonString(), "r.json").SysPrep);
        Assert.False(VhdRecord.Parse(Sample(osType: "linux", sysPrep: true).ToJson(), "r.json").SysPrep);
    }

    [Theory]
    [InlineData("Windows", true)]
    [InlineData("windows", true)]
    [InlineData("Linux", false)]
    public void An_old_record_without_sysprep_gets_the_originals_default(string osType, bool expected)
    {
        var parsed = VhdRecord.Parse(OriginalRecord(osType: osType), "r.json");

        Assert.Equal(expected, parsed.SysPrep);
        Assert.Null(parsed.SourceVmId);
    }

    [Fact]
    public void A_backslash_image_path_is_normalised()
    {
        Assert.Equal("Win2016/Datacenter.json", VhdRecord.Parse(OriginalRecord(imagePath: "Win2016\\Datacenter.json"), "r.json").ImagePath);
    }

    [Fact]
    public void A_record_starting_with_a_byte_order_mark_is_read()
    {
        Assert.Equal("Win2016_Datacenter-Nov-25-2026", VhdRecord.Parse("\uFEFF" + OriginalRecord(), "r.json").ImageName);
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-8")]
    public void A_record_written_by_out_file_decodes_whatever_its_byte_order_mark(string encodingName)
    {
        // Windows PowerShell's Out-File writes UTF-16 LE with a byte order mark: the original's records look like that.
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(OriginalRecord())).ToArray();

        var text = BlobContainerGateway.DecodeText(BinaryData.FromBytes(bytes));

        Assert.Equal("Win2016_Datacenter-Nov-25-2026", VhdRecord.Parse(text, "r.json").ImageName);
    }

    [Fact]
    public void Text_without_a_byte_order_mark_is_utf8()
    {
        Assert.Equal("é{}", System.Text.Encoding.UTF8.GetString(Encoding.UTF8.GetBytes("é{}")));
    }

    /// <summary>A record as the original scripts wrote it: ConvertTo-Json of a hashtable, culture timestamp, no sysPrep.</summary>
    internal static string OriginalRecord(
        string imagePath = "Win2016/Datacenter.json",
        string? description = "Windows Server 2016",
        string osType = "Windows",
        string timestamp = "11/25/2026 5:22:33 PM",
        string vhdFileName = "6c2a7c3e-4b1f-4f7e-9d7e-1f2a3b4c5d6e.vhd",
        string imageName = "Win2016_Datacenter-Nov-25-2026")
    {
        var json = new JsonObject
        {
            ["osType"] = osType,
            ["vhdFileName"] = vhdFileName,
            ["imagePath"] = imagePath,
            ["description"] = description,
            ["timestamp"] = timestamp,
            ["imageName"] = imageName,
        };
        return json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
