using BqDispatch.Core.Configuration;
using BqDispatch.Core.Naming;
using BqDispatch.Tests.Configuration;
using Xunit;

namespace BqDispatch.Tests.Naming;

public sealed class ProjectIdTests
{
    [Theory]
    [InlineData("p")]
    [InlineData("xx-e2e")]
    [InlineData("My-Project-42")]
    [InlineData("example.com:p")]
    [InlineData("corp.example.co.uk:data-1")]
    public void Project_ids_and_domain_scoped_ids_are_valid(string project) => Assert.True(ProjectId.IsValid(project));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("my_project")]
    [InlineData("p%2F..")]
    [InlineData("example:p")]
    [InlineData("example.com:")]
    [InlineData(":p")]
    [InlineData("example..com:p")]
    [InlineData("example.com:a:b")]
    [InlineData("ünïcode")]
    public void Anything_else_is_not(string? project) => Assert.False(ProjectId.IsValid(project));

    [Theory]
    [InlineData("proj:.:US")]
    [InlineData("proj:..:US")]
    [InlineData("proj:my_project:US")]
    [InlineData("proj:example.com:..:US")]
    public void A_folder_naming_no_valid_project_is_no_project_folder(string name) =>
        Assert.False(ProjectFolder.TryParse(name, out _, out _));

    [Fact]
    public void A_configured_project_id_is_checked_too()
    {
        var error = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse(ConfigJson.Minimal.Replace("\"cfgp\"", "\"..\"", StringComparison.Ordinal), ConfigJson.NoEnvironment));

        Assert.Equal($"config: ProjectID '..' cannot be a BigQuery project id ({ProjectId.Rule})", error.Message);
    }
}
