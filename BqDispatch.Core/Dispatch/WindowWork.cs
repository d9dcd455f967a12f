namespace BqDispatch.Core.Dispatch;

/// <summary>A due batch window (.win) that has no scheduled marker yet.</summary>
/// <param name="Project">The BigQuery project its load will run in (its throttle).</param>
/// <param name="BatchingKey">bqtail's performance key for it, "&lt;x&gt;/batching".</param>
/// <param name="Metageneration">As listed: above 1 once a dispatcher claimed the window (see <see cref="HandOffClaims"/>).</param>
/// <param name="Updated">As listed: when the window was written or last claimed.</param>
/// <param name="LookFirst">Set when an earlier attempt of this very firing may have landed unseen (see <see cref="TraceWork"/>).</param>
/// <param name="Lane">The lane it belongs to (see <see cref="LaneSubjects"/>).</param>
public sealed record WindowWork(
    string Url,
    string ObjectName,
    DateTimeOffset End,
    long Generation,
    string Project,
    string BatchingKey,
    long Metageneration = 1,
    DateTimeOffset? Updated = null,
    bool LookFirst = false,
    string Lane = Throttling.Lane.MainName);

/// <summary>An object to delete if it still has the generation that was listed.</summary>
public sealed record ObjectVersion(string Url, long Generation);

/// <summary>A window and its marker, both past the trigger delay: the batch was fired long ago.</summary>
public sealed record StalledPair(ObjectVersion Window, ObjectVersion Marker);
