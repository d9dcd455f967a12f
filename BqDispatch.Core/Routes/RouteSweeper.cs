using System.Text.Json;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Routes;

/// <summary>
/// The route activity: finds DONE jobs of the route projects that no trace covers and routes those a rule matches.
/// Per project and cycle: one listing of the active jobs, one full listing of what was created since the last sweep
/// (less <see cref="Overlap"/>; the whole look-back at the first sweep), and for jobs it saw running before that have
/// finished since, jobs.get each or one DONE listing of their creation window, whichever is fewer calls
/// (<see cref="FinishedLookup"/>). Pages are decided as they arrive, and routed at once, so memory follows a page.
/// </summary>
public sealed class RouteSweeper(RouteSettings settings, RouteRules rules, RouteWriter writer, IObjectStore store, string journalUrl, IJobsClient jobs, IJobResources resources)
{
    /// <summary>How far each listing reaches back before the newest job the last one showed: jobs BigQuery lists a little late.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    /// <summary>The most jobs a project keeps waiting for another attempt; beyond it the project's sweep starts over.</summary>
    public const int MaxWaiting = 10_000;

    private const int MaxRemovalsPerSweep = 1_000;

    private static readonly JobState[] ActiveStates = [JobState.Pending, JobState.Running];

    private readonly SemaphoreSlim oneAtATime = new(1, 1);
    private readonly Dictionary<string, SweepMemory> memory = new(StringComparer.Ordinal);
    private DateTimeOffset? cleaned;
    private volatile bool allUsersDenied;

    public RouteRules Rules => rules;

    /// <summary>One sweep of every route project; returns its counts and problems (rule-load errors included).</summary>
    public async Task<RouteOutcome> Sweep(RouteRequest request, CancellationToken cancellation)
    {
        await oneAtATime.WaitAsync(cancellation);
        try
        {
            var now = request.Now;
            var tally = new RouteTally();
            await rules.Refresh(now, cancellation);
            foreach (var error in rules.Errors)
            {
                tally.Error(error);
            }

            // Without a rule there is nothing to list; the first rules then catch up on the look-back.
            if (rules.Current.Count > 0)
            {
                await Task.WhenAll(settings.Projects.Select(project => SweepProject(project, now, tally, cancellation)));
            }

            var removed = await RemoveOldRecords(now, tally, cancellation);
            return tally.Outcome(memory.Values.Sum(m => m.Waiting.Count), removed);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>
    /// Routes one finished job now (a completion event for a job no trace covers): the same rules, journal and counts as a
    /// sweep. A job of another project, one of BqTail's own, or one created before the look-back is not routed.
    /// </summary>
    public async Task<RouteOutcome> RouteFinished(JsonElement resource, DateTimeOffset now, CancellationToken cancellation)
    {
        await oneAtATime.WaitAsync(cancellation);
        try
        {
            var tally = new RouteTally();
            await rules.Refresh(now, cancellation);
            if (FinishedJob.From(resource) is { } job && Routable(job, now) && settings.Projects.Contains(job.ProjectId, StringComparer.Ordinal))
            {
                var project = MemoryOf(job.ProjectId);
                await Decide(job, firstSight: true, now, tally, project, cancellation);
                project.Decided[job.JobId] = job.Created;
            }

            return tally.Outcome(0, 0);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>
    /// Dry run for <c>plan</c>: the DONE jobs of the look-back that a rule matches, by rule, and whether the journal shows
    /// them routed already. Lists and reads only; the sweep's memory is left alone.
    /// </summary>
    public async Task<(IReadOnlyList<PlannedRoute> Routes, IReadOnlyList<string> Errors)> Preview(DateTimeOffset now, CancellationToken cancellation)
    {
        await rules.Refresh(now, cancellation);
        var routes = new List<PlannedRoute>();
        var errors = rules.Errors.ToList();
        foreach (var project in settings.Projects)
        {
            try
            {
                await foreach (var page in ListFull(project, [JobState.Done], now - settings.Lookback, null, cancellation))
                {
                    foreach (var job in page.Jobs.Select(FinishedJob.From).OfType<FinishedJob>().Where(j => Routable(j, now)))
                    {
                        if (rules.Match(job) is { } rule)
                        {
                            var routed = await store.Presence(writer.RecordOf(job), cancellation) == ObjectPresence.Live;
                            routes.Add(new PlannedRoute(job.ProjectId, job.JobId, job.Type, rule.Name, writer.TriggerOf(job), rule.ActionsFor(job) is not null, routed));
                        }
                    }
                }
            }
            catch (BigQueryException e)
            {
                errors.Add($"project {project}: route sweep: jobs.list failed: {e.Message}");
            }
        }

        return (routes, errors);
    }

    private SweepMemory MemoryOf(string project)
    {
        if (!memory.TryGetValue(project, out var known) || known.RulesVersion != rules.Version)
        {
            known = new SweepMemory(rules.Version);
            memory[project] = known;
        }

        return known;
    }

    private async Task SweepProject(string project, DateTimeOffset now, RouteTally tally, CancellationToken ct)
    {
        SweepMemory state;
        lock (memory)
        {
            state = MemoryOf(project);
        }

        var lookbackStart = now - settings.Lookback;
        var since = state.Watermark is { } w && w - Overlap > lookbackStart ? w - Overlap : lookbackStart;

        var retry = state.Waiting;
        state.Waiting = [];
        await DecideAll(retry.Where(j => j.Created >= lookbackStart).ToList(), firstSight: false, now, tally, state, ct);

        try
        {
            // The active listing first: a job it shows and that finishes before the full listing is read is DONE there.
            var active = await ListActive(project, tally, ct);

            var known = new Dictionary<string, (string Location, DateTimeOffset Created)>(StringComparer.Ordinal);
            var decided = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var newest = state.Watermark ?? since;
            var pages = 0;
            var listed = 0;
            await foreach (var page in ListFull(project, [], since, null, ct))
            {
                pages++;
                var fresh = new List<FinishedJob>();
                foreach (var item in page.Jobs)
                {
                    if (FinishedJob.Glance(item) is not { } seen)
                    {
                        continue;
                    }

                    listed++;

                    newest = seen.Created > newest ? seen.Created : newest;
                    if (FinishedJob.IsBqTails(seen.JobId) || seen.Created < lookbackStart)
                    {
                        continue;
                    }

                    if (!seen.Done)
                    {
                        known[seen.JobId] = (seen.Location, seen.Created);
                    }
                    else if (!state.Decided.ContainsKey(seen.JobId) && FinishedJob.From(item) is { } job)
                    {
                        decided[seen.JobId] = seen.Created;
                        fresh.Add(job);
                    }
                }

                await DecideAll(fresh, firstSight: true, now, tally, state, ct);
            }

            tally.Calls(1, pages, 0);

            // Jobs seen running before this listing's start that the active listing no longer shows have finished.
            var finished = new List<(string JobId, string Location, DateTimeOffset Created)>();
            foreach (var (jobId, (location, created)) in state.Known)
            {
                if (created < lookbackStart || known.ContainsKey(jobId) || decided.ContainsKey(jobId))
                {
                    continue;
                }

                if (active.Contains(jobId) || created >= since)
                {
                    // Still running; or created since the listing's start, so the listing said all there is about it.
                    if (active.Contains(jobId))
                    {
                        known[jobId] = (location, created);
                    }
                }
                else
                {
                    finished.Add((jobId, location, created));
                }
            }

            finished.Sort((a, b) => a.Created.CompareTo(b.Created));
            var rate = listed / Math.Max(1, (now - since).TotalSeconds);
            var listFrom = FinishedLookup.ListFrom([.. finished.Select(f => f.Created)], since, rate);
            if (listFrom < finished.Count)
            {
                await ListFinished(project, finished[listFrom..], since, known, decided, now, tally, state, ct);
            }

            var budget = finished.Take(Math.Min(listFrom, settings.MaxGetsPerCycle)).ToList();
            foreach (var later in finished.Take(listFrom).Skip(budget.Count))
            {
                known[later.JobId] = (later.Location, later.Created);
            }

            await GetFinished(project, budget, known, decided, now, tally, state, ct);

            state.Known = known;
            state.Watermark = newest;
            foreach (var (jobId, created) in state.Decided.Where(d => d.Value >= newest - Overlap))
            {
                decided.TryAdd(jobId, created);
            }

            state.Decided = decided.Where(d => d.Value >= newest - Overlap).ToDictionary(StringComparer.Ordinal);
        }
        catch (BigQueryException e)
        {
            tally.Error($"project {project}: route sweep: jobs.list failed, its jobs are looked at again next cycle: {e.Message}");
        }

        if (state.Waiting.Count > MaxWaiting)
        {
            // Too much to keep: the next sweep lists the whole look-back again, and the journal sorts out what was routed.
            lock (memory)
            {
                memory.Remove(project);
            }

            tally.Error($"project {project}: more than {MaxWaiting:N0} jobs wait to be routed again; the next sweep starts over from the look-back");
        }
    }

    // One DONE listing of the creation window of jobs seen running that have finished: those of them it shows are
    // decided; the others (listed late) are looked at again next cycle. Other jobs of the window were decided before.
    private async Task ListFinished(
        string project,
        List<(string JobId, string Location, DateTimeOffset Created)> finished,
        DateTimeOffset until,
        Dictionary<string, (string Location, DateTimeOffset Created)> known,
        Dictionary<string, DateTimeOffset> decided,
        DateTimeOffset now,
        RouteTally tally,
        SweepMemory state,
        CancellationToken ct)
    {
        var wanted = finished.ToDictionary(f => f.JobId, StringComparer.Ordinal);
        var pages = 0;
        await foreach (var page in ListFull(project, [JobState.Done], finished[0].Created, until, ct))
        {
            pages++;
            var done = new List<FinishedJob>();
            foreach (var item in page.Jobs)
            {
                if (FinishedJob.Glance(item) is { } seen && wanted.Remove(seen.JobId, out var f) && FinishedJob.From(item) is { } job)
                {
                    decided[f.JobId] = f.Created;
                    done.Add(job);
                }
            }

            await DecideAll(done, firstSight: true, now, tally, state, ct);
        }

        tally.Calls(1, pages, 0);
        foreach (var (jobId, (_, location, created)) in wanted)
        {
            known[jobId] = (location, created);
        }
    }

    private async Task GetFinished(
        string project,
        List<(string JobId, string Location, DateTimeOffset Created)> finished,
        Dictionary<string, (string Location, DateTimeOffset Created)> known,
        Dictionary<string, DateTimeOffset> decided,
        DateTimeOffset now,
        RouteTally tally,
        SweepMemory state,
        CancellationToken ct)
    {
        var resourcesGot = await BoundedParallel.Map(
            finished,
            settings.GetParallelism,
            async (f, token) =>
            {
                try
                {
                    return (Job: await resources.GetResource(project, f.JobId, f.Location.Length > 0 ? f.Location : null, token), Failed: false);
                }
                catch (BigQueryException e)
                {
                    tally.Error($"project {project}: route sweep: jobs.get failed, the job is looked at again next cycle: {e.Message}");
                    return (Job: (JsonElement?)null, Failed: true);
                }
            },
            ct);
        tally.Calls(0, 0, finished.Count);

        var done = new List<FinishedJob>();
        foreach (var (f, (resource, failed)) in finished.Zip(resourcesGot))
        {
            if (resource is { } r && FinishedJob.From(r) is { } job)
            {
                decided[f.JobId] = f.Created;
                done.Add(job);
            }
            else if (failed || resource is not null)
            {
                // Not DONE after all (or not read): looked at again next cycle. A job BigQuery no longer knows is dropped.
                known[f.JobId] = (f.Location, f.Created);
            }
        }

        await DecideAll(done, firstSight: true, now, tally, state, ct);
    }

    private Task DecideAll(List<FinishedJob> jobs, bool firstSight, DateTimeOffset now, RouteTally tally, SweepMemory state, CancellationToken ct) =>
        BoundedParallel.Map(jobs, settings.RouteParallelism, async (job, token) =>
        {
            await Decide(job, firstSight, now, tally, state, token);
            return 0;
        }, ct);

    private async Task Decide(FinishedJob job, bool firstSight, DateTimeOffset now, RouteTally tally, SweepMemory state, CancellationToken ct)
    {
        if (rules.Match(job) is not { } rule)
        {
            if (firstSight)
            {
                tally.NoMatch();
            }

            return;
        }

        if (rule.ActionsFor(job) is null)
        {
            tally.Add(rule.Name, new RouteCounts(Matched: firstSight ? 1 : 0, NoActions: firstSight ? 1 : 0));
            return;
        }

        var (result, error) = await writer.Route(job, rule, now, ct);
        var matched = firstSight ? 1 : 0;
        tally.Add(rule.Name, result switch
        {
            RouteResult.Routed => new RouteCounts(matched, Routed: 1),
            RouteResult.AlreadyRouted => new RouteCounts(matched, AlreadyRouted: 1),
            RouteResult.Failed => new RouteCounts(matched, Failed: 1),
            _ => new RouteCounts(matched),
        });
        if (error is not null)
        {
            tally.Error(error);
        }

        if (result is RouteResult.Failed or RouteResult.InFlightElsewhere)
        {
            lock (state)
            {
                state.Waiting.Add(job);
            }
        }
    }

    private bool Routable(FinishedJob job, DateTimeOffset now) => !FinishedJob.IsBqTails(job.JobId) && job.Created >= now - settings.Lookback;

    private async Task<HashSet<string>> ListActive(string project, RouteTally tally, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var pages = await WithAllUsersFallback(async allUsers =>
        {
            ids.Clear();
            var count = 0;
            await foreach (var page in jobs.ListPages(new JobListQuery(project, ActiveStates, null, null, allUsers), ct))
            {
                count++;
                ids.UnionWith(page.Jobs.Select(j => j.JobId));
            }

            return count;
        });
        tally.Calls(1, pages, 0);
        return ids;
    }

    private async IAsyncEnumerable<JobResourcePage> ListFull(
        string project,
        JobState[] states,
        DateTimeOffset since,
        DateTimeOffset? until,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var allUsers = settings.ListAllUsers && !allUsersDenied;
        var first = true;
        await using var pages = resources.ListResources(new JobListQuery(project, states, since, until, allUsers), ct).GetAsyncEnumerator(ct);
        while (true)
        {
            JobResourcePage page;
            try
            {
                if (!await pages.MoveNextAsync())
                {
                    yield break;
                }

                page = pages.Current;
            }
            catch (BigQueryException e) when (first && allUsers && e.IsAccessDenied)
            {
                // Without bigquery.jobs.listAll: the dispatcher's own jobs, from now on (as the completion sweep does).
                allUsersDenied = true;
                break;
            }

            first = false;
            yield return page;
        }

        await foreach (var page in resources.ListResources(new JobListQuery(project, states, since, until, false), ct))
        {
            yield return page;
        }
    }

    private async Task<T> WithAllUsersFallback<T>(Func<bool, Task<T>> read)
    {
        var allUsers = settings.ListAllUsers && !allUsersDenied;
        try
        {
            return await read(allUsers);
        }
        catch (BigQueryException e) when (allUsers && e.IsAccessDenied)
        {
            allUsersDenied = true;
            return await read(false);
        }
    }

    /// <summary>Removes journal records older than the look-back plus a day, by hour folder; at most once an hour.</summary>
    private async Task<int> RemoveOldRecords(DateTimeOffset now, RouteTally tally, CancellationToken ct)
    {
        if (cleaned is { } last && now - last < TimeSpan.FromHours(1))
        {
            return 0;
        }

        cleaned = now;
        var before = now - settings.Lookback - RouteSettings.RecordRetention;
        var removed = 0;
        try
        {
            var root = await store.List(journalUrl + RouteJournal.Folder, ct);
            foreach (var folder in root.Folders.Where(f => RouteJournal.HourOf(FolderName(f)) is { } hour && hour + TimeSpan.FromHours(1) <= before))
            {
                foreach (var record in await AllObjects(folder, ct))
                {
                    if (removed >= MaxRemovalsPerSweep)
                    {
                        cleaned = null;
                        return removed;
                    }

                    await store.Delete(record.Url, record.Generation, ct);
                    removed++;
                }
            }
        }
        catch (StorageException e)
        {
            tally.Error($"route journal {journalUrl}{RouteJournal.Folder}: old records could not be removed: {e.Message}");
        }

        return removed;
    }

    private async Task<List<StoredObject>> AllObjects(string folderUrl, CancellationToken ct)
    {
        var listing = await store.List(folderUrl, ct);
        var all = listing.Objects.ToList();
        foreach (var sub in listing.Folders)
        {
            all.AddRange(await AllObjects(sub, ct));
        }

        return all;
    }

    private static string FolderName(string folderUrl) => folderUrl.TrimEnd('/')[(folderUrl.TrimEnd('/').LastIndexOf('/') + 1)..];
}
