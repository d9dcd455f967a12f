namespace BqDispatch.Emulators.BigQuery;

/// <summary>configuration.jobType on the wire (QUERY, LOAD, COPY, EXTRACT, UNKNOWN).</summary>
public enum EmulatedJobType
{
    Unknown,
    Query,
    Load,
    Copy,
    Extract,
}

/// <summary>status.state on the wire (PENDING, RUNNING, DONE).</summary>
public enum EmulatedJobState
{
    Pending,
    Running,
    Done,
}

/// <summary>
/// One job held by the emulator. Its state follows a timeline against the emulator clock: PENDING until
/// <see cref="RunningAt"/>, RUNNING until <see cref="DoneAt"/>, then DONE (failed when <see cref="ErrorReason"/>
/// is set). A null <see cref="RunningAt"/> or <see cref="DoneAt"/> means "not (yet) scheduled".
/// </summary>
/// <param name="Location">Where the job runs: a multi-region (US, EU) or a region such as us-central1.</param>
public sealed record EmulatedJob(
    string ProjectId,
    string JobId,
    string Location,
    EmulatedJobType Type,
    string UserEmail,
    DateTimeOffset Created)
{
    /// <summary>When the job leaves PENDING; null keeps it pending until <see cref="DoneAt"/>.</summary>
    public DateTimeOffset? RunningAt { get; init; }

    /// <summary>When the job becomes DONE; null keeps it from finishing.</summary>
    public DateTimeOffset? DoneAt { get; init; }

    /// <summary>errorResult.reason of the DONE job (e.g. invalid, backendError); null for success.</summary>
    public string? ErrorReason { get; init; }

    /// <summary>errorResult.message; defaults to a generic message when <see cref="ErrorReason"/> is set.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Set for child (script) jobs, which jobs.list returns only when asked with parentJobId.</summary>
    public string? ParentJobId { get; init; }

    /// <summary>configuration.(load|query|copy).destinationTable; null for none (an extract, a query without one).</summary>
    public EmulatedTable? Destination { get; init; }

    /// <summary>configuration.query.query: the SQL of a query job.</summary>
    public string? Query { get; init; }

    /// <summary>configuration.load.sourceUris of a load job.</summary>
    public IReadOnlyList<string>? SourceUris { get; init; }

    /// <summary>configuration.(copy|extract).sourceTable.</summary>
    public EmulatedTable? SourceTable { get; init; }

    /// <summary>configuration.extract.destinationUris of an extract job.</summary>
    public IReadOnlyList<string>? DestinationUris { get; init; }

    /// <summary>The state at <paramref name="now"/>.</summary>
    public EmulatedJobState StateAt(DateTimeOffset now) =>
        DoneAt is { } done && now >= done ? EmulatedJobState.Done
        : RunningAt is { } running && now >= running ? EmulatedJobState.Running
        : EmulatedJobState.Pending;

    /// <summary>statistics.startTime: set once the job left PENDING.</summary>
    internal DateTimeOffset? StartTimeAt(DateTimeOffset now) => StateAt(now) switch
    {
        EmulatedJobState.Pending => null,
        EmulatedJobState.Running => RunningAt,
        _ => RunningAt is { } running && running <= DoneAt ? running : DoneAt,
    };

    /// <summary>True for the BigQuery multi-regions, where jobs.get finds a job without a location.</summary>
    internal bool InMultiRegion =>
        string.Equals(Location, "US", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Location, "EU", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A table reference as BigQuery writes it.</summary>
public sealed record EmulatedTable(string ProjectId, string DatasetId, string TableId);
