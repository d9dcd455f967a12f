using System.Globalization;

namespace BqDispatch.Core.Naming;

/// <summary>Where the dispatcher hands work to tail: objects under the trigger bucket that tail is triggered by.</summary>
public static class TriggerPaths
{
    private const string HourLayout = "yyyy-MM-dd_HH";
    private const string JsonExtension = ".json";

    /// <summary>
    /// The <c>_bqjob_</c> object for a finished job's trace:
    /// <c>&lt;base&gt;/_bqjob_/&lt;yyyy-MM-dd_HH&gt;/proj:&lt;p&gt;:&lt;r&gt;/&lt;decoded file name&gt;.json</c>.
    /// The hour is the trace's creation hour (UTC), so a retried hand-off targets the same object.
    /// </summary>
    public static string PostJob(string triggerBaseUrl, string postJobPrefix, DateTimeOffset traceCreated, string projectId, string region, JobInfo info)
    {
        // bqtail names the file after Parse(job id), which is lossy (xx:test.dummy → xx_test_dummy);
        // decoding here gives that name whether the caller holds the original or the decoded info.
        var decoded = JobIdCodec.Parse(JobIdCodec.JobId(info));
        var hour = traceCreated.UtcDateTime.ToString(HourLayout, CultureInfo.InvariantCulture);
        return Join(triggerBaseUrl, postJobPrefix) + hour + "/" + JobIdCodec.JobFilename(decoded, projectId, region) + JsonExtension;
    }

    /// <summary>The <c>_batch_</c> copy of a window: <c>&lt;base&gt;/_batch_/&lt;window file name&gt;</c>.</summary>
    public static string Batch(string triggerBaseUrl, string batchPrefix, string windowObjectName) =>
        Join(triggerBaseUrl, batchPrefix) + windowObjectName;

    /// <summary>
    /// The base URL of the trigger bucket, without a trailing '/': a bare bucket name becomes
    /// <c>gs://&lt;name&gt;</c>; a URL (gs://, file://, mem://) is kept.
    /// </summary>
    public static string TriggerBase(string triggerBucket)
    {
        var url = triggerBucket.Contains("://", StringComparison.Ordinal) ? triggerBucket : "gs://" + triggerBucket;
        return url.TrimEnd('/');
    }

    // Exactly one '/' between the base and the prefix, and the prefix ends with '/'.
    private static string Join(string baseUrl, string prefix)
    {
        var folder = prefix.Trim('/');
        return baseUrl.TrimEnd('/') + "/" + (folder.Length > 0 ? folder + "/" : "");
    }
}
