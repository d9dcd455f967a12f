using BqDispatch.Core.Naming;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// Which awaited follow-ups BqTail has acted on, from what a scan can see: their trigger object is gone (BqTail deletes
/// it when it is done, after starting any follow-up job; a hand-off that never landed has none either), or the trace of
/// the next step of the same event is in the task folder (BqTail writes it before that step's job).
/// </summary>
public static class FollowUpEvidence
{
    private const int FolderParallelism = 8;

    /// <summary>
    /// The awaited trigger objects that still exist, one listing per trigger folder (a few: hour × project). A folder that
    /// cannot be listed counts as still holding its objects: no evidence, and nothing is left undone (the TTL applies).
    /// </summary>
    public static async Task<IReadOnlySet<string>> PresentTriggers(IObjectStore store, IReadOnlyList<AwaitedFollowUp> awaited, CancellationToken cancellation)
    {
        var folders = awaited.GroupBy(a => StorageUrl.Parse(a.Trigger).Folder.ToString(), StringComparer.Ordinal).ToList();
        var listed = await BoundedParallel.Map(
            folders,
            FolderParallelism,
            async (folder, ct) =>
            {
                try
                {
                    var listing = await store.List(folder.Key, ct);
                    return listing.Objects.Select(o => o.Url);
                }
                catch (StorageException)
                {
                    return folder.Select(a => a.Trigger);
                }
            },
            cancellation);
        return listed.SelectMany(urls => urls).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The event steps whose traces the scan looks out for (<see cref="TraceClassification.SeenSteps"/>).</summary>
    public static IReadOnlySet<string> AwaitedSteps(IReadOnlyList<AwaitedFollowUp> awaited) =>
        awaited.Where(a => a.NextStep is not null).Select(a => a.NextStep!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Keys of the awaited follow-ups with evidence, given the triggers still present and the next steps seen.</summary>
    public static IReadOnlyList<string> Settled(
        IReadOnlyList<AwaitedFollowUp> awaited, IReadOnlySet<string> presentTriggers, IReadOnlySet<string> seenSteps) =>
        awaited
            .Where(a => !presentTriggers.Contains(a.Trigger) || (a.NextStep is not null && seenSteps.Contains(a.NextStep)))
            .Select(a => a.Key)
            .ToList();

    /// <summary>The step BqTail's follow-up of this trace will carry in its name.</summary>
    public static string NextStepOf(TraceWork trace)
    {
        var info = JobIdCodec.Parse(trace.JobId);
        return JobIdCodec.EventStep(info with { Step = info.Step + 1 });
    }
}
