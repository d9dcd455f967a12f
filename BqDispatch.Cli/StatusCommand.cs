using System.Text;
using BqDispatch.Core.Dispatch;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Hosting;
using BqDispatch.Core.Storage;

namespace BqDispatch.Cli;

/// <summary>
/// Operator helper: the latest per-project figures, read from the performance.json a dispatcher (CLI or Azure)
/// writes to JournalURL after every cycle, and the lanes of the last finished run, from its status.json: two reads and
/// no BigQuery call.
/// </summary>
public static class StatusCommand
{
    public static async Task<int> Run(
        Options options, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation)
    {
        using var setup = await DispatcherSetup.Create(options.Config, environment, cancellation);
        var url = setup.Config.JournalURL + StatusPublisher.PerformanceFile;
        Dictionary<string, Performance> projects;
        try
        {
            projects = StatusJson.Deserialize<Dictionary<string, Performance>>(Encoding.UTF8.GetString(await setup.Store.Read(url, cancellation)));
        }
        catch (StorageException e) when (e.Status == 404)
        {
            await stderr.WriteLineAsync($"bqdispatch: no status yet: {url} does not exist (no dispatcher has completed a cycle with this JournalURL)");
            return 1;
        }

        await stdout.WriteLineAsync(Table(projects));
        if (await setup.Activities.Publisher.ReadLastRun(cancellation) is { } lastRun)
        {
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(Lanes(StatusJson.Deserialize<StatusDocument>(lastRun).Lanes));
        }

        return 0;
    }

    /// <summary>One line per lane, lowest priority number first: as of the last finished run's last cycle, and over that run.</summary>
    public static string Lanes(IReadOnlyDictionary<string, LaneStatus> lanes)
    {
        var text = new StringBuilder();
        text.AppendLine("lane                    priority  queued  running  dispatched  throttled  oldest wait s");
        foreach (var (name, lane) in lanes.OrderBy(l => l.Value.Priority).ThenBy(l => l.Key, StringComparer.Ordinal))
        {
            text.AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name,-21} {lane.Priority,10}  {lane.Queued,6}  {Total(lane.Running),7}  {lane.Dispatched,10}  {lane.Throttled,9}  {lane.OldestWaitSec,13}"));
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>One line per project: the last cycle's waiting traces and active jobs, the run's hand-offs.</summary>
    public static string Table(IReadOnlyDictionary<string, Performance> projects)
    {
        var text = new StringBuilder();
        text.AppendLine("project               region  waiting  running  pending  dispatched  throttled  not found");
        foreach (var (key, p) in projects.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{key,-21} {p.Region ?? "",-7} {p.Count,7}  {Total(p.Running),7}  {Total(p.Pending),7}  {Total(p.Dispatched),10}  {Total(p.Throttled),9}  {p.NoFound,9}"));
        }

        return text.ToString().TrimEnd();
    }

    private static int Total(Metrics m) => m.QueryJobs + m.LoadJobs + m.CopyJobs + m.OtherJobs + m.BatchJobs;
}
