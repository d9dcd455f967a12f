using System.Diagnostics;
using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Dispatch;

namespace BqDispatch.Benchmarks;

/// <summary>
/// The strategy users would otherwise pick (Airflow's deferrable operators and most hand-written pollers):
/// one jobs.get per pending job per poll. Run against the same emulator for comparison.
/// </summary>
public static class PerJobPolling
{
    /// <summary>
    /// Above this many pending jobs the poll is not run (it would take minutes): its calls are one per pending job by
    /// definition, which is what the report shows.
    /// </summary>
    public const int MaxPolled = 100_000;

    public static async Task<(int Calls, TimeSpan Elapsed)> Poll(IJobsClient jobs, IReadOnlyList<JobLookup> pending, int parallelism)
    {
        var watch = Stopwatch.StartNew();
        var calls = await BoundedParallel.Map(
            pending,
            parallelism,
            async (lookup, ct) =>
            {
                await jobs.Get(lookup.Project, lookup.JobId, lookup.Region, ct);
                return 1;
            },
            CancellationToken.None);
        return (calls.Sum(), watch.Elapsed);
    }
}
