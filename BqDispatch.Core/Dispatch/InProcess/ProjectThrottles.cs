using System.Text;
using System.Text.Json;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Storage;
using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch.InProcess;

/// <summary>
/// The project throttles of the in-process engine, one per project; they outlive runs, as the durable entities do. A
/// self-hosted dispatcher keeps them in <c>JournalURL/throttle.json</c> (<see cref="Load"/>): written when they changed,
/// before the work they admitted is handed off and after each cycle, and read at start, so a restarted dispatcher
/// honours the reservations made before it stopped instead of admitting their slots again.
/// </summary>
public sealed class ProjectThrottles
{
    public const string StateFile = "throttle.json";

    private readonly SortedDictionary<string, ProjectThrottle> throttles;
    private readonly IObjectStore? store;
    private readonly string? url;
    private readonly SemaphoreSlim writing = new(1);
    private string persisted;

    /// <summary>Throttles kept in memory only (tests, the demo, the benchmark).</summary>
    public ProjectThrottles()
        : this(new SortedDictionary<string, ProjectThrottle>(StringComparer.Ordinal), null, null)
    {
    }

    private ProjectThrottles(SortedDictionary<string, ProjectThrottle> throttles, IObjectStore? store, string? url)
    {
        this.throttles = throttles;
        this.store = store;
        this.url = url;
        persisted = Json();
    }

    /// <summary>
    /// The throttles kept at <paramref name="stateUrl"/> (none yet when it does not exist).
    /// </summary>
    /// <exception cref="StorageException">It cannot be read.</exception>
    /// <exception cref="JsonException">It is not a throttle state (the message names the file).</exception>
    public static async Task<ProjectThrottles> Load(IObjectStore store, string stateUrl, CancellationToken cancellation)
    {
        var state = new SortedDictionary<string, ProjectThrottle>(StringComparer.Ordinal);
        try
        {
            var text = Encoding.UTF8.GetString(await store.Read(stateUrl, cancellation));
            foreach (var (project, throttle) in StatusJson.Deserialize<Dictionary<string, ProjectThrottle>>(text))
            {
                state[project] = throttle;
            }
        }
        catch (StorageException e) when (e.Status == 404)
        {
        }
        catch (JsonException e)
        {
            throw new JsonException($"{stateUrl} is not a throttle state: {e.Message}", e);
        }

        return new ProjectThrottles(state, store, stateUrl);
    }

    public Admission Admit(string project, AdmissionRequest request) => Decide(project, t => t.Admit(request));

    /// <summary>An event's admission between cycles (the same throttle as the cycles').</summary>
    public Admission AdmitEvent(string project, EventAdmission admission) => Decide(project, t => t.AdmitEvent(admission));

    private Admission Decide(string project, Func<ProjectThrottle, Admission> decide)
    {
        lock (throttles)
        {
            if (!throttles.TryGetValue(project, out var throttle))
            {
                throttle = new ProjectThrottle();
                throttles[project] = throttle;
            }

            return decide(throttle);
        }
    }

    /// <summary>The reservations held now, per project.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Reservation>> Reservations()
    {
        lock (throttles)
        {
            return throttles.ToDictionary(t => t.Key, t => (IReadOnlyList<Reservation>)[.. t.Value.Reservations], StringComparer.Ordinal);
        }
    }

    /// <summary>Writes the state where it is kept when it changed since it was last written or read; returns a failure, or null.</summary>
    public async Task<string?> Persist(CancellationToken cancellation)
    {
        if (store is null || url is null)
        {
            return null;
        }

        await writing.WaitAsync(cancellation);
        try
        {
            var json = Json();
            if (json == persisted)
            {
                return null;
            }

            await store.Put(url, Encoding.UTF8.GetBytes(json), cancellation);
            persisted = json;
            return null;
        }
        catch (StorageException e)
        {
            return $"writing {url} failed: {e.Message}";
        }
        finally
        {
            writing.Release();
        }
    }

    private string Json()
    {
        lock (throttles)
        {
            return StatusJson.Serialize(throttles);
        }
    }
}
