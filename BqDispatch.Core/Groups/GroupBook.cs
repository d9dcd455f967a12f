using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Groups;

/// <summary>
/// The groups of one dispatcher as its scans see them. It keeps, for the life of the process, each group file as last
/// read (read again only when its generation changes) and the DONE states of open groups' members: a DONE job's end and
/// error never change, so a member whose trace was handed off cycles ago costs no further BigQuery call. Both are bounded
/// by the open groups and rebuilt by a restarted dispatcher (one DONE listing per project covers it). Member states of a
/// cycle come from the scan's own sources: its active listings and the DONE listings and lookups it makes for traces.
/// </summary>
public sealed class GroupBook(IObjectStore store, string asyncTaskUrl)
{
    private const int ReadParallelism = 16;

    private readonly Dictionary<string, (long Generation, GroupDefinition? Group, string? Problem)> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberState> finished = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    public string FolderUrl => asyncTaskUrl + GroupFile.Folder;

    /// <summary>
    /// Lists the group folder and returns its groups, reading only files that changed, and the problems: malformed files
    /// by name (left alone), and files that could not be read this time.
    /// </summary>
    public async Task<(IReadOnlyList<GroupDefinition> Groups, IReadOnlyList<string> Problems, int Malformed)> Read(CancellationToken ct)
    {
        await oneAtATime.WaitAsync(ct);
        try
        {
            var listed = new List<StoredObject>();
            await foreach (var page in store.ListPages(FolderUrl, NameRange.All, ct))
            {
                listed.AddRange(page.Objects);
            }

            // Only new or rewritten files are read, several at once (a first cycle may meet a thousand).
            var changed = listed.Where(f => !files.TryGetValue(f.Url, out var known) || known.Generation != f.Generation).ToList();
            var read = await BoundedParallel.Map(changed, ReadParallelism, async (file, token) =>
            {
                try
                {
                    return (Content: await store.Read(file.Url, token), Error: (StorageException?)null);
                }
                catch (StorageException e)
                {
                    return (Content: (byte[]?)null, Error: e);
                }
            }, ct);

            var problems = new List<string>();
            foreach (var (file, (content, error)) in changed.Zip(read))
            {
                if (content is not null)
                {
                    var (group, problem) = GroupFile.Parse(file, content);
                    files[file.Url] = (file.Generation, group, problem);
                }
                else if (error!.Status != 404)
                {
                    // Gone since the listing (completed by another dispatcher) is no problem; anything else is looked at next cycle.
                    problems.Add($"group file {file.Url} could not be read, it is looked at again next cycle: {error.Message}");
                }
            }

            var groups = new List<GroupDefinition>();
            var malformed = 0;
            foreach (var file in listed)
            {
                if (!files.TryGetValue(file.Url, out var known) || known.Generation != file.Generation)
                {
                    continue;
                }

                if (known.Group is { } g)
                {
                    groups.Add(g);
                }
                else
                {
                    malformed++;
                    problems.Add($"group file {file.Url} is malformed and left alone: {known.Problem}");
                }
            }

            var current = listed.Select(f => f.Url).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in files.Keys.Where(url => !current.Contains(url)).ToList())
            {
                files.Remove(gone);
            }

            var members = groups.SelectMany(g => g.Members).Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in finished.Keys.Where(k => !members.Contains(k)).ToList())
            {
                finished.Remove(gone);
            }

            return (groups, problems, malformed);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>No group folder any more: what was kept for the last groups is let go.</summary>
    public async Task Forget(CancellationToken ct)
    {
        await oneAtATime.WaitAsync(ct);
        try
        {
            lock (finished)
            {
                finished.Clear();
            }

            files.Clear();
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>Whether the member is known DONE already (no call is made for it).</summary>
    public bool Finished(GroupMember member)
    {
        lock (finished)
        {
            return finished.ContainsKey(member.Key);
        }
    }

    /// <summary>
    /// The member's state this cycle: known DONE, else what <paramref name="states"/> (the scan's listings and lookups)
    /// say, running when its project's active listing shows it. What is learned DONE is remembered.
    /// </summary>
    public MemberState StateOf(GroupMember member, JobStates states, Func<string, ActiveJobs?> activeOf)
    {
        lock (finished)
        {
            if (finished.TryGetValue(member.Key, out var done))
            {
                return done;
            }

            if (activeOf(member.Project)?.Contains(member.JobId) == true)
            {
                return MemberState.Running;
            }

            var status = states.StateOf(member.Project, member.JobId);
            if (status != JobStatus.Done)
            {
                return status is JobStatus.Running or JobStatus.Pending ? MemberState.Running : new MemberState(status);
            }

            var (error, type) = states.OutcomeOf(member.Project, member.JobId);
            done = new MemberState(JobStatus.Done, states.EndOf(member.Project, member.JobId), error, type == JobType.Unknown ? null : type.ToString().ToUpperInvariant());
            finished[member.Key] = done;
            return done;
        }
    }

    /// <summary>Members whose state the scan must learn: not known DONE and not shown active.</summary>
    public IEnumerable<JobLookup> Lookups(IReadOnlyList<GroupDefinition> groups, Func<string, ActiveJobs?> activeOf) =>
        groups.SelectMany(g => g.Members.Where(m => !Finished(m) && activeOf(m.Project)?.Contains(m.JobId) != true)
            .Select(m => new JobLookup(m.Project, m.Location, m.JobId, g.Created)));
}
