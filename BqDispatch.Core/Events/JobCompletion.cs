namespace BqDispatch.Core.Events;

/// <summary>
/// What a completion event says, and all it says: BigQuery job <see cref="JobId"/> of <see cref="Project"/> is DONE.
/// </summary>
/// <param name="Location">Where the job ran (the audit entry's resource location), when the entry says.</param>
/// <param name="Ended">BigQuery's end time of the job, when the entry says: the start of the detection lag.</param>
/// <param name="Error">The job's error message when it failed; null when it succeeded.</param>
/// <param name="Type">The job type in the entry's words (QUERY, COPY, EXPORT, IMPORT, or the legacy event name).</param>
public sealed record JobCompletion(string Project, string JobId, string? Location, DateTimeOffset? Ended, string? Error, string Type);
