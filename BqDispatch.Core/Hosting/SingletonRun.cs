using System.Security.Cryptography;
using System.Text;
using BqDispatch.Core.Configuration;

namespace BqDispatch.Core.Hosting;

/// <summary>
/// The state of the one dispatch orchestration instance, as a host sees it. A Durable host maps its runtime
/// status enum onto this; <see cref="Unknown"/> is any value this code does not know.
/// </summary>
public enum RunState
{
    NotFound,
    Pending,
    Running,
    Suspended,
    Completed,
    Failed,
    Terminated,
    Unknown,
}

/// <summary>What a start attempt came to.</summary>
public enum StartOutcome
{
    /// <summary>A new run was scheduled under the fixed instance id.</summary>
    Started,

    /// <summary>The instance is pending, running or suspended: no second run is started.</summary>
    AlreadyActive,

    /// <summary>Another starter scheduled the instance between our status read and our start: nothing to do.</summary>
    LostRace,

    /// <summary>The instance made no progress for <see cref="SingletonRun.StuckAfter"/>: it was terminated, and the next start replaces it.</summary>
    TerminatedStuck,
}

/// <summary>What a host knows about the instance when it decides: its state and when it last made progress.</summary>
public sealed record RunObservation(RunState State, DateTimeOffset? LastUpdatedAt)
{
    public static readonly RunObservation NotFound = new(RunState.NotFound, null);
}

/// <summary>
/// The dispatcher runs as one orchestration instance per configuration (a singleton): its id is fixed, derived from
/// AsyncTaskURL, and it chains its runs itself (each run continues as a new one). The minute timer is its watchdog:
/// it starts the chain when it is not running, and ends a chain that stopped making progress so the next tick can
/// start it again.
/// </summary>
public static class SingletonRun
{
    public const string InstanceIdPrefix = "bqdispatch-";

    /// <summary>
    /// A running instance updates its state at least once per cycle. Silence this long is longer than any activity
    /// may run (host.json functionTimeout, 10 minutes) plus retries, so the chain is stuck, not busy.
    /// </summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(15);

    /// <summary>
    /// "bqdispatch-" + 16 hex digits of SHA-256 of AsyncTaskURL: stable across restarts and hosts, different
    /// for two configurations that list different task folders, and a valid Durable instance id.
    /// </summary>
    public static string InstanceId(string asyncTaskUrl)
    {
        ArgumentException.ThrowIfNullOrEmpty(asyncTaskUrl);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(asyncTaskUrl));
        return InstanceIdPrefix + Convert.ToHexStringLower(hash, 0, 8);
    }

    public static string InstanceId(DispatchConfig config) => InstanceId(config.AsyncTaskURL);

    /// <summary>
    /// Start unless a run is active. Pending, Running and Suspended are active (a suspended run is an operator's
    /// pause: resume or terminate it). Unknown states are tried: the start itself then refuses if it is active.
    /// </summary>
    public static bool ShouldStart(RunState state) => state switch
    {
        RunState.Pending or RunState.Running or RunState.Suspended => false,
        _ => true,
    };

    /// <summary>An active, unsuspended instance that has not made progress for <see cref="StuckAfter"/>.</summary>
    public static bool IsStuck(RunObservation run, DateTimeOffset now) =>
        run.State is RunState.Pending or RunState.Running
        && run.LastUpdatedAt is { } updated
        && now - updated > StuckAfter;

    /// <summary>
    /// Reads the instance, starts it when <see cref="ShouldStart"/> says so, and turns the host's "instance already
    /// exists" failure (another starter won the race) into <see cref="StartOutcome.LostRace"/>. With
    /// <paramref name="terminate"/> (the watchdog), a stuck instance is terminated instead. Other failures propagate.
    /// </summary>
    public static async Task<StartOutcome> StartUnlessActive(
        Func<Task<RunObservation>> observe,
        Func<Task> start,
        Func<Exception, bool> isAlreadyExists,
        DateTimeOffset now,
        Func<Task>? terminate = null)
    {
        var run = await observe();
        if (terminate is not null && IsStuck(run, now))
        {
            await terminate();
            return StartOutcome.TerminatedStuck;
        }

        if (!ShouldStart(run.State))
        {
            return StartOutcome.AlreadyActive;
        }

        try
        {
            await start();
            return StartOutcome.Started;
        }
        catch (Exception e) when (isAlreadyExists(e))
        {
            return StartOutcome.LostRace;
        }
    }
}
