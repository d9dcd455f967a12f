using BqDispatch.Core.Dispatch.Status;

namespace BqDispatch.Core.Dispatch.InProcess;

/// <summary>
/// The self-hosted service: runs follow each other with only the cycle pause between them, so the dispatcher is always
/// watching (the minute alignment of the original was a Cloud Scheduler artefact). Each run starts from what the
/// previous one carried over (<paramref name="run"/> is one run of <see cref="DispatchRun.Continue"/>).
/// </summary>
public sealed class BackToBackRuns(Func<RunCarryOver, Task<RunResult>> run, TimeSpan pause, IClock clock)
{
    /// <summary>
    /// Runs until <paramref name="stopping"/> is cancelled; a run then ends after its cycle in flight (its engine watches
    /// the same token) and no other starts. A run that throws is reported and the chain goes on from the last carry-over.
    /// </summary>
    public async Task Run(Func<StatusDocument, Task> finished, Func<Exception, Task> failed, CancellationToken stopping)
    {
        var carried = RunCarryOver.None;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var result = await run(carried);
                carried = result.CarryOver;
                await finished(result.Status);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await failed(e);
            }

            await clock.Delay(pause, stopping);
        }
    }
}
