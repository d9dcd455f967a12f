using BqDispatch.Core.Configuration;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Groups;

/// <summary>
/// The group completion activity: completes each group of a batch exactly once, with the discipline of a route
/// (<see cref="Routes.RouteWriter"/>): the completion record is created create-only first (of two dispatchers only one
/// can), then the post-action file create-only, then the record is marked done and the group file is moved to the
/// journal (copied create-only, then deleted only if its generation is unchanged). A record that exists means the group
/// is someone's: done, or its post-action file exists or existed (soft delete remembers one BqTail consumed): the file is
/// never written again and only the move is finished. A record left "completing" for longer than the lease with no trace of
/// its post-action file (its dispatcher died between the two writes) is completed.
/// </summary>
public sealed class GroupCompleter(IObjectStore store, string journalUrl, string triggerBaseUrl, string postJobPrefix, int parallelism)
{
    public static GroupCompleter Of(DispatchConfig config, IObjectStore store) =>
        new(store, config.JournalURL, config.TriggerBaseUrl, config.PostJobPrefix, config.HandOffParallelism);

    public string TriggerOf(GroupCompletion group) => GroupPostAction.Url(triggerBaseUrl, postJobPrefix, group);

    public async Task<GroupOutcome> Complete(GroupBatch batch, CancellationToken cancellation) =>
        new(await BoundedParallel.Map(batch.Groups, parallelism, (group, ct) => Complete(group, batch.Now, ct), cancellation));

    private async Task<GroupCompleted> Complete(GroupCompletion group, DateTimeOffset now, CancellationToken ct)
    {
        var trigger = group.Actions is null ? null : TriggerOf(group);
        var record = GroupJournal.RecordUrl(journalUrl, group);
        try
        {
            var claim = await store.Create(record, GroupJournal.Serialize(Record(group, trigger, now, GroupRecord.Completing)), ct);
            if (claim == CreateOutcome.AlreadyExists)
            {
                var existing = GroupJournal.Deserialize(await store.Read(record, ct));
                if (existing is null || existing.Group != group.Url || existing.Generation != group.Generation)
                {
                    return Result(group, GroupResult.Failed, trigger,
                        $"group {group.Name}: a group of this name was completed in the same hour already ({record}); this one ({group.Url}) is left alone: give it another name");
                }

                if (existing.State == GroupRecord.Done || (trigger is not null && await store.Presence(trigger, ct) != ObjectPresence.Absent))
                {
                    return await Moved(group, GroupResult.AlreadyCompleted, trigger, ct);
                }

                if (now - existing.Time < HandOffClaims.Lease)
                {
                    return Result(group, GroupResult.InFlightElsewhere, trigger, null);
                }
            }

            var written = trigger is null ? CreateOutcome.Created : await store.Create(trigger, GroupPostAction.Content(group), ct);
            await store.Put(record, GroupJournal.Serialize(Record(group, trigger, now, GroupRecord.Done)), ct);
            return await Moved(group, written == CreateOutcome.Created ? GroupResult.Completed : GroupResult.AlreadyCompleted, trigger, ct);
        }
        catch (StorageException e)
        {
            return Result(group, GroupResult.Failed, trigger, $"completing group {group.Name} failed, it is tried again: {e.Message}");
        }
    }

    // The group file goes to the journal: a copy that exists already, or a source gone, is a move done before.
    private async Task<GroupCompleted> Moved(GroupCompletion group, GroupResult result, string? trigger, CancellationToken ct)
    {
        var copy = await store.CopyIfAbsent(group.Url, group.Generation, null, GroupJournal.MovedUrl(journalUrl, group), ct);
        if (copy != CopyOutcome.SourceChanged)
        {
            await store.Delete(group.Url, group.Generation, ct);
        }

        return Result(group, result, trigger, null);
    }

    private static GroupRecord Record(GroupCompletion group, string? trigger, DateTimeOffset now, string state) =>
        new(group.Url, group.Generation, group.Succeeded, trigger, now, state);

    private static GroupCompleted Result(GroupCompletion group, GroupResult result, string? trigger, string? error) =>
        new(group.Name, group.Succeeded, result, trigger, error);
}
