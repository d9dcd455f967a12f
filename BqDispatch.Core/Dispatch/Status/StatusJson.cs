using Newtonsoft.Json;

namespace BqDispatch.Core.Dispatch.Status;

/// <summary>The one JSON format of status documents and performance.json (UTC times with a Z, as Go writes them).</summary>
public static class StatusJson
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        DateTimeZoneHandling = DateTimeZoneHandling.Utc,
        DateFormatString = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'",
    };

    public static string Serialize(object value, bool indented = false) =>
        JsonConvert.SerializeObject(value, indented ? Formatting.Indented : Formatting.None, Settings);

    public static T Deserialize<T>(string json) =>
        JsonConvert.DeserializeObject<T>(json, Settings) ?? throw new JsonSerializationException("empty JSON document");
}
