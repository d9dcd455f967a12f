using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class ProjectFolderTests
{
    [Theory]
    [InlineData("proj:xx:US", "xx", "US")]
    [InlineData("proj:p:", "p", "")]
    [InlineData("proj:p", "p", "")]
    [InlineData("proj:example.com:p:US", "example.com:p", "US")]
    [InlineData("proj:xx-e2e:us-central1/", "xx-e2e", "us-central1")]
    public void Folder_names_give_project_and_region(string name, string project, string region)
    {
        Assert.True(ProjectFolder.TryParse(name, out var parsedProject, out var parsedRegion));
        Assert.Equal(project, parsedProject);
        Assert.Equal(region, parsedRegion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("proj:")]
    [InlineData("proj::US")]
    [InlineData("xx:US")]
    [InlineData("PROJ:xx:US")]
    [InlineData("ds.t_1_2")]
    [InlineData("proj:a/b:US")]
    public void Other_names_are_not_project_folders(string name)
    {
        Assert.False(ProjectFolder.TryParse(name, out _, out _));
    }

    [Fact]
    public void Name_builds_what_TryParse_reads()
    {
        Assert.Equal("proj:example.com:p:US", ProjectFolder.Name("example.com:p", "US"));
    }
}
