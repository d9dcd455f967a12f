using BqDispatch.Core.Events;
using BqDispatch.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace BqDispatch.Functions;

/// <summary>The app's structured log events (their properties become customDimensions in Application Insights).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "BqDispatch start {InstanceId}: {Outcome} (timer past due: {PastDue})")]
    public static partial void StartAttempt(ILogger logger, string instanceId, StartOutcome outcome, bool pastDue);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "BqDispatch cycle {Cycles} of run started {Started}: status {Status}, handed off {HandedOff}, windows fired {WindowsFired}, backlog {Backlog}, errors {ErrorCount}")]
    public static partial void Cycle(
        ILogger logger, int cycles, DateTime started, string status, int handedOff, int windowsFired, int backlog, int errorCount);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "BqDispatch publish: {Error}")]
    public static partial void PublishFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "BqDispatch run {Run} of {InstanceId} finished: status {Status}, {Cycles} cycles, handed off {HandedOff}, windows fired {WindowsFired}, backlog {Backlog}, last error {LastError}")]
    public static partial void RunFinished(
        ILogger logger, string instanceId, int run, string status, int cycles, int handedOff, int windowsFired, int backlog, string? lastError);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "BqDispatch run-now {InstanceId}: {Outcome}")]
    public static partial void RunNowRefused(ILogger logger, string instanceId, StartOutcome outcome);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "BqDispatch events: push refused ({Verdict}): {Reason}")]
    public static partial void PushRefused(ILogger logger, PushVerdict verdict, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "BqDispatch events: malformed message acknowledged: {Problem}")]
    public static partial void MalformedEvent(ILogger logger, string problem);
}
