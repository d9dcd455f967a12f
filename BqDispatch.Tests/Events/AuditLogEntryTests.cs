using System.Text;
using BqDispatch.Core.Events;
using FsCheck;
using FsCheck.Xunit;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>BigQuery's audit-log entries as a logging sink publishes them (reference gcp-rest-and-auth.md §5.1, §5.2).</summary>
public class AuditLogEntryTests
{
    public static string JobChange(
        string project = "proj1", string jobId = "ds_t--7_00001_load--dispatch", string after = "DONE", string location = "EU",
        string endTime = "2026-11-22T10:00:12.789Z", string? errorMessage = null, string type = "IMPORT") => $$"""
        {
          "insertId": "-abc123",
          "logName": "projects/{{project}}/logs/cloudaudit.googleapis.com%2Fdata_access",
          "resource": { "type": "bigquery_project", "labels": { "project_id": "{{project}}", "location": "{{location}}" } },
          "timestamp": "2026-11-22T10:00:12.900Z",
          "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "serviceName": "bigquery.googleapis.com",
            "methodName": "google.cloud.bigquery.v2.JobService.InsertJob",
            "resourceName": "projects/{{project}}/jobs/{{jobId}}",
            "metadata": {
              "@type": "type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata",
              "jobChange": {
                "before": "RUNNING",
                "after": "{{after}}",
                "job": {
                  "jobName": "projects/{{project}}/jobs/{{jobId}}",
                  "jobConfig": { "type": "{{type}}" },
                  "jobStatus": { "jobState": "{{after}}"{{(errorMessage is null ? "" : $$""", "errorResult": { "code": 3, "message": "{{errorMessage}}" }""")}} },
                  "jobStats": { "createTime": "2026-11-22T10:00:00.123Z", "endTime": "{{endTime}}" }
                }
              }
            }
          }
        }
        """;

    public static string Legacy(string project = "proj1", string jobId = "ds_q--8_00001_query--dispatch", string? error = null) => $$"""
        {
          "resource": { "type": "bigquery_resource", "labels": { "project_id": "{{project}}" } },
          "protoPayload": {
            "serviceName": "bigquery.googleapis.com",
            "methodName": "jobservice.jobcompleted",
            "serviceData": {
              "jobCompletedEvent": {
                "eventName": "query_job_completed",
                "job": {
                  "jobName": { "projectId": "{{project}}", "jobId": "{{jobId}}", "location": "US" },
                  "jobStatus": { "state": "DONE"{{(error is null ? "" : $$""", "error": { "code": 400, "message": "{{error}}" }""")}} },
                  "jobStatistics": { "createTime": "2026-11-22T10:00:00Z", "endTime": "2026-11-22T10:00:05.500Z" }
                }
              }
            }
          }
        }
        """;

    private static EntryReading Read(string json) => AuditLogEntry.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_job_change_to_done_names_the_job_its_location_and_end()
    {
        var reading = Read(JobChange());

        Assert.Equal(EntryKind.Completion, reading.Kind);
        Assert.Equal(
            new JobCompletion("proj1", "ds_t--7_00001_load--dispatch", "EU", new DateTimeOffset(2026, 11, 22, 10, 0, 12, 789, TimeSpan.Zero), null, "IMPORT"),
            reading.Completion);
    }

    [Fact]
    public void A_failed_job_carries_its_error()
    {
        var reading = Read(JobChange(errorMessage: "Not found: Table proj1:stg.events"));

        Assert.Equal("Not found: Table proj1:stg.events", reading.Completion!.Error);
    }

    [Fact]
    public void A_legacy_jobcompleted_entry_is_a_completion_too()
    {
        var reading = Read(Legacy(error: "Syntax error"));

        Assert.Equal(EntryKind.Completion, reading.Kind);
        Assert.Equal(
            new JobCompletion("proj1", "ds_q--8_00001_query--dispatch", "US", new DateTimeOffset(2026, 11, 22, 10, 0, 5, 500, TimeSpan.Zero), "Syntax error", "query_job_completed"),
            reading.Completion);
    }

    [Fact]
    public void A_domain_scoped_project_keeps_its_colon()
    {
        Assert.Equal("example.com:proj1", Read(JobChange(project: "example.com:proj1")).Completion!.Project);
    }

    [Theory]
    [InlineData("RUNNING")]
    [InlineData("PENDING")]
    public void A_change_to_another_state_is_not_a_completion(string after)
    {
        Assert.Equal(EntryKind.NotACompletion, Read(JobChange(after: after)).Kind);
    }

    [Fact]
    public void Another_service_or_an_insertion_is_not_a_completion()
    {
        Assert.Equal(EntryKind.NotACompletion, Read("""{"protoPayload":{"serviceName":"storage.googleapis.com","methodName":"storage.objects.create"}}""").Kind);
        Assert.Equal(EntryKind.NotACompletion, Read("""{"protoPayload":{"metadata":{"jobInsertion":{"job":{}}}}}""").Kind);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"textPayload":"hello"}""")]
    [InlineData("""{"protoPayload":{"metadata":{"jobChange":{"after":"DONE","job":{"jobName":"jobs/x"}}}}}""")]
    [InlineData("""{"protoPayload":{"methodName":"jobservice.jobcompleted","serviceData":{}}}""")]
    public void Anything_else_is_malformed(string json)
    {
        var reading = Read(json);

        Assert.Equal(EntryKind.Malformed, reading.Kind);
        Assert.NotNull(reading.Problem);
    }

    [Property(MaxTest = 300)]
    public void Reading_never_throws(byte[] bytes) => Assert.NotNull(AuditLogEntry.Read(bytes ?? []));

    [Property(MaxTest = 300)]
    public void Reading_a_truncated_entry_never_throws(PositiveInt cut)
    {
        var json = JobChange();
        Assert.NotNull(Read(json[..(cut.Get % json.Length)]));
    }
}
