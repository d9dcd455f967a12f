using BqDispatch.Core.BigQuery;
using BqDispatch.Core.Naming;
using Xunit;

namespace BqDispatch.Tests.Naming;

public class JobKindsTests
{
    [Theory]
    [InlineData("query", JobKind.Query)]
    [InlineData("load", JobKind.Load)]
    [InlineData("reload", JobKind.Load)]
    [InlineData("copy", JobKind.Copy)]
    [InlineData("export", JobKind.Export)]
    [InlineData("nop", JobKind.Other)]
    [InlineData("delete", JobKind.Other)]
    [InlineData("", JobKind.Other)]
    public void Actions_map_to_kinds(string action, JobKind kind)
    {
        Assert.Equal(kind, JobKinds.FromAction(action));
    }

    [Theory]
    [InlineData(JobType.Query, JobKind.Query)]
    [InlineData(JobType.Load, JobKind.Load)]
    [InlineData(JobType.Copy, JobKind.Copy)]
    [InlineData(JobType.Extract, JobKind.Export)]
    [InlineData(JobType.Unknown, JobKind.Other)]
    public void Job_types_map_to_kinds(JobType type, JobKind kind)
    {
        Assert.Equal(kind, JobKinds.FromJobType(type));
    }
}
