namespace BqDispatch.Emulators.BigQuery;

/// <summary>Settings of a <see cref="BigQueryEmulator"/>, fixed at start (except <see cref="BigQueryEmulator.Latency"/>).</summary>
public sealed class BigQueryEmulatorOptions
{
    /// <summary>The emulator's "now": job states follow their timelines against it. Default: the system clock.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>The authenticated caller; jobs.list with allUsers=false returns only this user's jobs.</summary>
    public string CallerEmail { get; init; } = "dispatcher@example.iam.gserviceaccount.com";

    /// <summary>Whether the caller holds bigquery.jobs.listAll; when false, allUsers=true is answered 403 accessDenied.</summary>
    public bool CallerMayListAllUsers { get; init; } = true;

    /// <summary>Largest jobs.list page; a larger or missing maxResults is capped to it.</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>Delay before every response (initial value of <see cref="BigQueryEmulator.Latency"/>).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;
}
