namespace BqDispatch.Core.Dispatch;

/// <summary>A due batch window (.win) that has no scheduled marker yet.</summary>
/// <param name="Project">The BigQuery project its load will run in (throttle lane).</param>
/// <param name="BatchingKey">bqtail's performance key for it, "&lt;x&gt;/batching".</param>
/// <param name="LookFirst">Set by the flow when the _batch_ copy may have been made and consumed already (see <see cref="LookFirstRules"/>).</param>
public sealed record WindowWork(
    string Url,
    string ObjectName,
    DateTimeOffset End,
    long Generation,
    string Project,
    string BatchingKey,
    bool LookFirst = false);

/// <summary>An object to delete if it still has the generation that was listed.</summary>
public sealed record ObjectVersion(string Url, long Generation);

/// <summary>A window and its marker, both past the trigger delay: the batch was fired long ago.</summary>
public sealed record StalledPair(ObjectVersion Window, ObjectVersion Marker);
