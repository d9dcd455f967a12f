using System.Text;
using BqDispatch.Emulators.BigQuery;
using BqDispatch.Emulators.Storage;

namespace BqDispatch.Functions.Tests.Support;

/// <summary>Small workloads laid out as BqTail leaves them, in the demo's task folder.</summary>
public static class Workloads
{
    public const string TasksBucket = "demo-dispatch";
    public const string TasksPrefix = "BqDispatch/Tasks/";

    /// <summary><paramref name="count"/> load traces in proj:p1:US whose jobs finished a minute ago.</summary>
    public static void FinishedLoads(CloudStorageEmulator storage, BigQueryEmulator bigQuery, int count, string project = "p1")
    {
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2);
        for (var i = 1; i <= count; i++)
        {
            var name = $"ds.t{i}--{1000 + i}_00001_load--dispatch";
            storage.Seed(TasksBucket, $"{TasksPrefix}proj:{project}:US/{name}", Encoding.UTF8.GetBytes("{}"), created.AddSeconds(i));
            bigQuery.AddJob(new EmulatedJob(project, $"ds_t{i}--{1000 + i}_00001_load--dispatch", "US", EmulatedJobType.Load, "tail@p", created.AddSeconds(i))
            {
                RunningAt = created.AddSeconds(i + 1),
                DoneAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
            });
        }
    }
}
