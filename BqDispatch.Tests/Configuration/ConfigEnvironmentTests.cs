using BqDispatch.Core.Configuration;
using Xunit;

namespace BqDispatch.Tests.Configuration;

public class ConfigEnvironmentTests
{
    private const string WithoutProjectOrRegion = """
        {"AsyncTaskURL": "gs://disp/Tasks/", "JournalURL": "gs://ops/Journal/", "ErrorURL": "gs://ops/errors/"}
        """;

    [Theory]
    [InlineData("gcloud", "google", "gcp", "gcloud")]
    [InlineData(null, "google", "gcp", "google")]
    [InlineData("", "google", "gcp", "google")]
    [InlineData(null, null, "gcp", "gcp")]
    public void The_project_comes_from_the_first_set_variable(string? gcloud, string? google, string? gcp, string expected)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GCLOUD_PROJECT"] = gcloud,
            ["GOOGLE_CLOUD_PROJECT"] = google,
            ["GCP_PROJECT"] = gcp,
        };

        Assert.Equal(expected, ConfigLoader.Parse(WithoutProjectOrRegion, environment).ProjectID);
    }

    [Fact]
    public void The_configured_project_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["GOOGLE_CLOUD_PROJECT"] = "env-project" };

        Assert.Equal("cfgp", ConfigLoader.Parse(ConfigJson.Minimal, environment).ProjectID);
    }

    [Fact]
    public void The_trigger_bucket_defaults_to_the_project_with_underscores()
    {
        var environment = new Dictionary<string, string?> { ["GOOGLE_CLOUD_PROJECT"] = "xx-e2e-1" };

        var config = ConfigLoader.Parse(WithoutProjectOrRegion, environment);

        Assert.Equal("xx_e2e_1_bqtail", config.TriggerBucket);
        Assert.Equal("gs://xx_e2e_1_bqtail", config.TriggerBaseUrl);
    }

    [Theory]
    [InlineData("europe-west1", "us-east1", "europe-west1")]
    [InlineData(null, "us-east1", "us-east1")]
    [InlineData(null, null, "us-central1")]
    public void The_region_comes_from_the_environment_else_us_central1(string? functionRegion, string? googleRegion, string expected)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GOOGLE_CLOUD_PROJECT"] = "p",
            ["FUNCTION_REGION"] = functionRegion,
            ["GOOGLE_CLOUD_REGION"] = googleRegion,
        };

        Assert.Equal(expected, ConfigLoader.Parse(WithoutProjectOrRegion, environment).Region);
    }

    [Fact]
    public void The_configured_region_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["FUNCTION_REGION"] = "europe-west1" };

        Assert.Equal("EU", ConfigLoader.Parse(ConfigJson.MinimalWith("Region", "\"EU\""), environment).Region);
    }
}
