using System.Security.Cryptography;
using System.Text;
using BqDispatch.Core.Configuration;
using BqDispatch.Core.Storage;

namespace BqDispatch.Core.Dispatch;

/// <summary>
/// The cleanup activity: stalled window pairs and orphan markers are deleted (generation-conditional), and
/// orphan traces (and DONE traces whose hand-off cannot be stored) are moved to ErrorURL/orphans/ with a .err note
/// saying why (W12).
/// </summary>
public sealed class Cleaner(DispatchConfig config, IObjectStore store)
{
    public async Task<CleanupOutcome> Clean(CleanupBatch batch, CancellationToken ct)
    {
        var errors = new List<string>();
        var stalled = 0;
        foreach (var pair in batch.StalledPairs)
        {
            if (await Delete(pair.Window, errors, ct) && await Delete(pair.Marker, errors, ct))
            {
                stalled++;
            }
        }

        var markers = 0;
        foreach (var marker in batch.OrphanMarkers)
        {
            if (await Delete(marker, errors, ct))
            {
                markers++;
            }
        }

        var evicted = new List<string>();
        foreach (var trace in batch.OrphanTraces)
        {
            if (await Evict(trace, batch.Now, errors, ct))
            {
                evicted.Add(trace.Url);
            }
        }

        return new CleanupOutcome(stalled, markers, evicted, errors);
    }

    private const string NoteSuffix = ".err";

    /// <summary>
    /// Where an evicted trace goes: ErrorURL/orphans/ plus its name relative to AsyncTaskURL. When the error folder
    /// cannot hold that name or its note's (too long for a file:// folder, say), the file is named by the SHA-256 of
    /// its relative name instead, in the same folder; the note still gives the original location.
    /// </summary>
    public string EvictionUrl(TraceWork trace)
    {
        var natural = config.ErrorURL + "orphans/" + trace.RelativeName;
        if (store.NameProblem(natural + NoteSuffix) is null)
        {
            return natural;
        }

        var folder = trace.RelativeName[..(trace.RelativeName.LastIndexOf('/') + 1)];
        return config.ErrorURL + "orphans/" + folder + "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trace.RelativeName)));
    }

    private async Task<bool> Evict(TraceWork trace, DateTimeOffset now, List<string> errors, CancellationToken ct)
    {
        var destination = EvictionUrl(trace);
        var why = trace.EvictionReason is { } reason
            ? $"BigQuery finished job {trace.JobId}, but the trace cannot be handed to BqTail: {reason}."
            : $"BigQuery does not know job {trace.JobId} in project {trace.Project}{(trace.Region.Length > 0 ? $" (location {trace.Region})" : "")}, " +
              $"and the trace was created at {trace.Created.UtcDateTime:O}, more than {config.OrphanTraceTtlHours} h earlier. Its job was probably never inserted.";
        var note = $"BqDispatch evicted this trace at {now.UtcDateTime:O}: {why} Original location: {trace.Url}\n";
        try
        {
            if (await store.CopyIfAbsent(trace.Url, trace.Generation, null, destination, ct) == CopyOutcome.SourceChanged)
            {
                return false;
            }

            await store.Create(destination + NoteSuffix, Encoding.UTF8.GetBytes(note), ct);
            await store.Delete(trace.Url, trace.Generation, ct);
            return true;
        }
        catch (StorageException e)
        {
            errors.Add($"evicting orphan trace {trace.Url} failed: {e.Message}");
            return false;
        }
    }

    private async Task<bool> Delete(ObjectVersion version, List<string> errors, CancellationToken ct)
    {
        try
        {
            return await store.Delete(version.Url, version.Generation, ct) != DeleteOutcome.GenerationChanged;
        }
        catch (StorageException e)
        {
            errors.Add($"deleting {version.Url} failed: {e.Message}");
            return false;
        }
    }
}
