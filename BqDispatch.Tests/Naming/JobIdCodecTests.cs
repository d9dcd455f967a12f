using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class JobIdCodecTests
{
    // Reference §2.2 worked examples: Meta → trace file name → BigQuery job id → Parse(job id).
    [Theory]
    [InlineData("xx:test.dummy", "1179878484004789046", 1, "load", "xx", "US",
        "proj:xx:US/xx:test.dummy--1179878484004789046_00001_load--dispatch",
        "xx_test_dummy--1179878484004789046_00001_load--dispatch", "xx_test_dummy")]
    [InlineData("bqtail.transactions", "997782008735915", 2, "copy", "xx-e2e", "US",
        "proj:xx-e2e:US/bqtail.transactions--997782008735915_00002_copy--dispatch",
        "bqtail_transactions--997782008735915_00002_copy--dispatch", "bqtail_transactions")]
    [InlineData("mydataset.mytable$20200101", "42", 100, "query", "my-proj", "EU",
        "proj:my-proj:EU/mydataset.mytable$20200101--42_00100_query--dispatch",
        "mydataset_mytable_20200101--42_00100_query--dispatch", "mydataset_mytable_20200101")]
    [InlineData("", "42", 3, "export", "p", "us-central1",
        "proj:p:us-central1/42_00003_export--dispatch",
        "42_00003_export--dispatch", "")]
    [InlineData("proj2:ds.t", "7", 1, "reload", "p", "",
        "proj:p:/proj2:ds.t--7_00001_reload--dispatch",
        "proj2_ds_t--7_00001_reload--dispatch", "proj2_ds_t")]
    public void Worked_examples_encode_and_decode_like_bqtail(
        string dest, string eventId, int step, string action, string project, string region,
        string expectedFilename, string expectedJobId, string expectedDecodedDest)
    {
        var info = new JobInfo(dest, eventId, step, action, "dispatch");

        Assert.Equal(expectedFilename, JobIdCodec.JobFilename(info, project, region));
        Assert.Equal(expectedJobId, JobIdCodec.JobId(info));
        Assert.Equal(new JobInfo(expectedDecodedDest, eventId, step, action, "dispatch"), JobIdCodec.Parse(expectedJobId));
    }

    [Fact]
    public void Legacy_mixed_path_form_parses_as_in_info_test()
    {
        var info = JobIdCodec.Parse("temp--dummy_850558231030311/850558231030311/dispatch");

        Assert.Equal(new JobInfo("temp--dummy_850558231030311", "850558231030311", 0, "nop", "dispatch"), info);
        Assert.True(info.Async);
    }

    // tail/helper_test.go TestUpdateJobId: Parse, replace the event id, build the job id again.
    [Theory]
    [InlineData("temp--dummy_850558231030311/850558231030311/dispatch", "temp--dummy_850558231030311--333333_00000_nop--dispatch")]
    [InlineData("temp--dummy_850558231030311_850558231030311/dispatch", "temp--333333_97677_850558231030311--dispatch")]
    public void Replacing_the_event_id_gives_tails_job_ids(string encoded, string expected)
    {
        var info = JobIdCodec.Parse(encoded) with { EventId = "333333" };

        Assert.Equal(expected, JobIdCodec.JobId(info));
    }

    [Fact]
    public void Decode_escapes_only_slash_dollar_colon_and_dot()
    {
        Assert.Equal("a--b_c_d_e-f@g", JobIdCodec.Decode("a/b$c:d.e-f@g"));
    }

    [Fact]
    public void Parse_removes_the_first_json_and_reads_the_tail_mode()
    {
        var info = JobIdCodec.Parse("ds_t--5_00007_copy--tail.json");

        Assert.Equal(new JobInfo("ds_t", "5", 7, "copy", "tail"), info);
        Assert.False(info.Async);
    }

    [Fact]
    public void Parse_of_a_single_element_is_deterministic_and_empty()
    {
        Assert.Equal(new JobInfo("", "", 0, "nop", "dispatch"), JobIdCodec.Parse("dispatch"));
        Assert.Equal(new JobInfo("", "", 0, "nop", "tail"), JobIdCodec.Parse(""));
    }

    [Fact]
    public void Parse_reads_an_unreadable_step_as_zero()
    {
        Assert.Equal(new JobInfo("ds", "9", 0, "load", "dispatch"), JobIdCodec.Parse("ds--9_x1_load--dispatch"));
    }

    [Fact]
    public void Parse_keeps_nop_when_the_token_has_no_step_and_action()
    {
        Assert.Equal(new JobInfo("ds", "9", 0, "nop", "dispatch"), JobIdCodec.Parse("ds--9_1--dispatch"));
    }

    [Fact]
    public void Steps_wrap_at_99999_like_tail_retries_expect()
    {
        var info = new JobInfo("ds", "1", 99999 + 42, "query", "dispatch");

        Assert.Equal("ds--1_00042_query--dispatch", JobIdCodec.JobId(info));
    }

    [Fact]
    public void A_negative_step_pads_like_gos_percent_05d()
    {
        Assert.Equal("1_-0005_load--dispatch", JobIdCodec.JobId(new JobInfo("", "1", -5, "load", "dispatch")));
    }

    [Fact]
    public void Filename_has_no_project_folder_without_a_project()
    {
        var info = new JobInfo("ds.t", "9", 2, "copy", "dispatch");

        Assert.Equal("ds.t--9_00002_copy--dispatch", JobIdCodec.JobFilename(info, "", "US"));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("Az09_-", true)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    [InlineData("a:b", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    public void Valid_job_ids_use_only_letters_digits_underscore_and_dash(string id, bool valid)
    {
        Assert.Equal(valid, JobIdCodec.IsValidJobId(id));
    }

    [Fact]
    public void Job_ids_are_at_most_1024_characters()
    {
        Assert.True(JobIdCodec.IsValidJobId(new string('a', 1024)));
        Assert.False(JobIdCodec.IsValidJobId(new string('a', 1025)));
    }
}
