using System.Text.Json;
using System.Text.Json.Serialization;

namespace BqDispatch.Core.BigQuery;

// The subset of the BigQuery v2 wire format JobsRestClient reads. Unknown members are ignored.
// int64 values (statistics.creationTime) arrive as JSON strings; a JSON number is accepted too.

/// <summary>A whole response body; on a 2xx it must not carry Google's error envelope.</summary>
internal interface IWireResponse
{
    GoogleErrorBody? Error { get; }
}

internal sealed class JobListResponse : IWireResponse
{
    public string? NextPageToken { get; set; }

    public List<JobResource>? Jobs { get; set; }

    public List<string>? Unreachable { get; set; }

    public GoogleErrorBody? Error { get; set; }
}

/// <summary>A full jobs.list page: each job kept as the JSON BigQuery sent.</summary>
internal sealed class JobResourceListResponse : IWireResponse
{
    public string? NextPageToken { get; set; }

    public List<JsonElement>? Jobs { get; set; }

    public List<string>? Unreachable { get; set; }

    public GoogleErrorBody? Error { get; set; }
}

/// <summary>A jobs.get body kept whole; <see cref="Error"/> is read to refuse a 2xx that carries Google's error envelope.</summary>
[JsonConverter(typeof(JobResourceBodyConverter))]
internal sealed class JobResourceBody : IWireResponse
{
    public JsonElement Job { get; init; }

    public GoogleErrorBody? Error { get; init; }
}

internal sealed class JobResourceBodyConverter : JsonConverter<JobResourceBody>
{
    public override JobResourceBody Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var job = JsonElement.ParseValue(ref reader);
        var error = job.ValueKind == JsonValueKind.Object && job.TryGetProperty("error", out var e)
            ? e.Deserialize(BigQueryJsonContext.Default.GoogleErrorBody)
            : null;
        return new JobResourceBody { Job = job, Error = error };
    }

    public override void Write(Utf8JsonWriter writer, JobResourceBody value, JsonSerializerOptions options) => value.Job.WriteTo(writer);
}

/// <summary>A jobs.list item or a jobs.get body (a list item also has top-level state and errorResult).</summary>
internal sealed class JobResource : IWireResponse
{
    public JobReferenceWire? JobReference { get; set; }

    public string? State { get; set; }

    public ErrorProtoWire? ErrorResult { get; set; }

    public JobStatusWire? Status { get; set; }

    public JobConfigurationWire? Configuration { get; set; }

    public JobStatisticsWire? Statistics { get; set; }

    public GoogleErrorBody? Error { get; set; }
}

internal sealed class JobReferenceWire
{
    public string? ProjectId { get; set; }

    public string? JobId { get; set; }

    public string? Location { get; set; }
}

internal sealed class JobStatusWire
{
    public string? State { get; set; }

    public ErrorProtoWire? ErrorResult { get; set; }
}

internal sealed class ErrorProtoWire
{
    public string? Reason { get; set; }

    public string? Message { get; set; }
}

internal sealed class JobConfigurationWire
{
    public string? JobType { get; set; }

    public DestinationWire? Load { get; set; }

    public DestinationWire? Query { get; set; }

    public DestinationWire? Copy { get; set; }
}

/// <summary>The destinationTable of a load, query or copy configuration (the only member read).</summary>
internal sealed class DestinationWire
{
    public TableReferenceWire? DestinationTable { get; set; }
}

internal sealed class TableReferenceWire
{
    public string? ProjectId { get; set; }

    public string? DatasetId { get; set; }

    public string? TableId { get; set; }
}

internal sealed class JobStatisticsWire
{
    public long? CreationTime { get; set; }

    public long? EndTime { get; set; }
}

/// <summary>The Google JSON error envelope: {"error":{"code","message","errors":[{"reason","message"}],"status"}}.</summary>
internal sealed class GoogleErrorEnvelope
{
    public GoogleErrorBody? Error { get; set; }
}

internal sealed class GoogleErrorBody
{
    public int? Code { get; set; }

    public string? Message { get; set; }

    public List<ErrorProtoWire>? Errors { get; set; }

    public string? Status { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(JobListResponse))]
[JsonSerializable(typeof(JobResource))]
[JsonSerializable(typeof(GoogleErrorEnvelope))]
[JsonSerializable(typeof(JobResourceListResponse))]
[JsonSerializable(typeof(JobResourceBody))]
internal sealed partial class BigQueryJsonContext : JsonSerializerContext;
