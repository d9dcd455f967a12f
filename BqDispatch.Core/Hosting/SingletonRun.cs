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
}

/// <summary>
/// The dispatcher runs as one orchestration instance per configuration (a singleton): its id is fixed, derived
/// from AsyncTaskURL, and a run is started only when no run with that id is active.
/// </summary>
public static class SingletonRun
{
    public const string InstanceIdPrefix = "bqdispatch-";

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

    /// <summary>
    /// Reads the state, starts when <see cref="ShouldStart"/> says so, and turns the host's "instance already
    /// exists" failure (another starter won the race) into <see cref="StartOutcome.LostRace"/>. Other failures
    /// propagate.
    /// </summary>
    public static async Task<StartOutcome> StartUnlessActive(
        Func<Task<RunState>> readState, Func<Task> start, Func<Exception, bool> isAlreadyExists)
    {
        if (!ShouldStart(await readState()))
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
