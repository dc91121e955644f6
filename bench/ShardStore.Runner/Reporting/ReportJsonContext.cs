using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ShardStore.Runner.Reporting;

/// <summary>Source-generated JSON serialization of <see cref="BenchmarkReport"/>.</summary>
[JsonSerializable(typeof(BenchmarkReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext
{
    /// <summary>Gets a context that writes indented camelCase JSON, with characters such as '+' left as they are (the file is not embedded in HTML).</summary>
    public static ReportJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
