using System.Text.Json;
using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The JSON options of every Durable payload (orchestration input and output, activity inputs and results, entity
/// state, custom status): the status document's own options, so the orchestration output is the CLI's document.
/// </summary>
public static class DurableJson
{
    public static JsonSerializerOptions Options => StatusJson.Options;
}
