namespace BqDispatch.Core.Throttling;

/// <summary>
/// A named share of a project's admission, as dispenserd's lanes and Faktory's queues are: work of a lower
/// <see cref="Priority"/> number is admitted first, the lane's own <see cref="Limits"/> bound its share of the
/// project's (0: no own limit), and work that waited longer than <see cref="MaxWaitSec"/> goes before any fresh work,
/// so nothing starves. <see cref="When"/> says which work belongs to it (null for <see cref="Main"/>, which takes the rest).
/// </summary>
public sealed record Lane(string Name, long Priority, ThrottleLimits Limits, int? MaxWaitSec = null, LaneWhen? When = null)
{
    public const string MainName = "main";

    /// <summary>dispenserd's default priority.</summary>
    public const long DefaultPriority = 512;

    /// <summary>Priorities are dispenserd's: 0 to 4,294,967,295.</summary>
    public const long MaxPriority = uint.MaxValue;

    /// <summary>The lane of work no configured lane takes, unless the configuration sets it otherwise.</summary>
    public static readonly Lane Main = new(MainName, DefaultPriority, ThrottleLimits.None);

    /// <summary>True when work of this lane waiting since <paramref name="waitingSince"/> has waited longer than the lane allows.</summary>
    public bool IsAged(DateTimeOffset waitingSince, DateTimeOffset now) =>
        MaxWaitSec is { } max && now - waitingSince > TimeSpan.FromSeconds(max);
}

/// <summary>
/// Which work a lane takes: every given pattern must match (anchored regular expressions). <see cref="Dest"/> is matched
/// against a destination table in bqtail's decoded spelling (<c>ds.t</c> → <c>ds_t</c>), <see cref="Action"/> against
/// bqtail's action (load, reload, query, copy, export), <see cref="Project"/> and <see cref="Region"/> against the
/// BigQuery project and location.
/// </summary>
public sealed record LaneWhen(string? Dest = null, string? Action = null, string? Project = null, string? Region = null)
{
    public bool IsEmpty => Dest is null && Action is null && Project is null && Region is null;
}
