using System.Text.Encodings.Web;
using System.Text.Json;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>
/// The one JSON format of status documents and performance.json, and of every Durable payload (the Functions
/// worker's serializer is built on <see cref="Options"/>), so the orchestration output is byte for byte the
/// document the CLI prints. UTC times end with a Z, as Go writes them; text is not HTML-escaped.
/// </summary>
public static class StatusJson
{
    /// <summary>PascalCase, case-insensitive reading (the Functions worker's defaults), no HTML escaping.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        PropertyNameCaseInsensitive = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static string Serialize<T>(T value, bool indented = false) =>
        JsonSerializer.Serialize(value, indented ? Indented : Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("empty JSON document");
}
