using System.Globalization;
using System.Runtime.InteropServices;

namespace BqDispatch.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM. The first one cancels <see cref="Stopping"/>: the command stops after the cycle in
/// flight, which finishes its work. A second signal, or the grace period passing after the first, ends the process
/// at once with the shell's code for the signal (130 SIGINT, 143 SIGTERM): a cycle stuck on a hung service cannot keep
/// a supervisor waiting, and what it left half done is completed by the next run.
/// </summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>Environment variable setting the grace period in whole seconds.</summary>
    public const string GraceVariable = "BQDISPATCH_STOP_GRACE_SEC";

    /// <summary>Below the 30 s that Kubernetes (and many supervisors) wait before SIGKILL; a healthy cycle takes seconds.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(25);

    private const int MaxGraceSeconds = 3600;

    private readonly CancellationTokenSource stopping = new();
    private readonly TimeSpan grace;
    private readonly TextWriter stderr;
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;
    private int received;

    public StopSignals(TimeSpan grace, TextWriter stderr)
    {
        this.grace = grace;
        this.stderr = stderr;
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Stopping => stopping.Token;

    /// <summary>The grace period from <see cref="GraceVariable"/> (1 to 3600 s), or the default when it is not set.</summary>
    public static bool TryReadGrace(IReadOnlyDictionary<string, string?> environment, out TimeSpan grace, out string problem)
    {
        grace = DefaultGrace;
        problem = "";
        var text = environment.GetValueOrDefault(GraceVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > MaxGraceSeconds)
        {
            problem = $"{GraceVariable} must be a whole number of seconds from 1 to {MaxGraceSeconds}, not '{text}'";
            return false;
        }

        grace = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        stopping.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The process, not the runtime, decides when to end.
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        var exitCode = context.Signal == PosixSignal.SIGINT ? 130 : 143;
        if (Interlocked.Increment(ref received) > 1)
        {
            Exit($"bqdispatch: {name} again: stopping now", exitCode);
            return;
        }

        stderr.WriteLine(
            $"bqdispatch: {name}: stopping after the cycle in flight (at most {grace.TotalSeconds:0} s more; a second signal stops at once)");
        stopping.Cancel();
        _ = Task.Delay(grace).ContinueWith(
            _ => Exit($"bqdispatch: the cycle in flight did not finish within {grace.TotalSeconds:0} s of {name}: stopping now", exitCode),
            TaskScheduler.Default);
    }

    private void Exit(string line, int exitCode)
    {
        stderr.WriteLine(line);
        stderr.Flush();
        Environment.Exit(exitCode);
    }
}
