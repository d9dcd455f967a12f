using System.Text;
using Azure.Core.Serialization;
using Microsoft.DurableTask;

namespace BqDispatch.DurableHost;

/// <summary>
/// Durable's data converter as the Functions worker builds it (the Durable extension's ObjectConverterShim): the
/// worker's <see cref="ObjectSerializer"/>, here the app's own (<c>AppServices.Serializer</c>), over UTF-8 text.
/// </summary>
public sealed class WorkerDataConverter(ObjectSerializer serializer) : DataConverter
{
    public override string? Serialize(object? value) =>
        value is null ? null : serializer.Serialize(value, value.GetType(), default).ToString();

    public override object? Deserialize(string? data, Type targetType)
    {
        if (data is null)
        {
            return null;
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(data), writable: false);
        return serializer.Deserialize(stream, targetType, default);
    }
}
