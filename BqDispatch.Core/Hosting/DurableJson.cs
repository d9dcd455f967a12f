using System.Text.Json;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The JSON options of Durable payloads in the Functions isolated worker: System.Text.Json defaults with
/// case-insensitive reading (what ConfigureFunctionsWorkerDefaults sets), so PascalCase on the wire.
/// Newtonsoft attributes on the status types do not apply there.
/// </summary>
public static class DurableJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General) { PropertyNameCaseInsensitive = true };
}
