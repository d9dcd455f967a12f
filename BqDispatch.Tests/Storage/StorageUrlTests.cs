using System.Text;
using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

public sealed class StorageUrlTests
{
    [Theory]
    [InlineData("gs://bucket/a/b.json", "gs", "bucket", "a/b.json", "b.json", false)]
    [InlineData("mem://name/path/", "mem", "name", "path/", "", true)]
    [InlineData("gs://bucket", "gs", "bucket", "", "", true)]
    [InlineData("GS://bucket/x", "gs", "bucket", "x", "x", false)]
    [InlineData("file:///abs/path/obj", "file", "", "abs/path/obj", "obj", false)]
    [InlineData("gs://b/proj:p:US/ds.t--1_00001_load--dispatch", "gs", "b", "proj:p:US/ds.t--1_00001_load--dispatch", "ds.t--1_00001_load--dispatch", false)]
    [InlineData("mem://b/100%20% ü", "mem", "b", "100%20% ü", "100%20% ü", false)]
    public void Parse_SplitsSchemeBucketAndPath_Literally(string url, string scheme, string bucket, string path, string name, bool isFolder)
    {
        var parsed = StorageUrl.Parse(url);

        Assert.Equal(scheme, parsed.Scheme);
        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(path, parsed.Path);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(isFolder, parsed.IsFolder);
    }

    [Theory]
    [InlineData("gs://bucket/a/b.json")]
    [InlineData("mem://b/")]
    [InlineData("file:///abs/path/")]
    [InlineData("file:///")]
    public void ToString_ComposesTheSameUrl(string url) => Assert.Equal(url, StorageUrl.Parse(url).ToString());

    [Theory]
    [InlineData("s3://bucket/x", "Unsupported scheme 's3'")]
    [InlineData("bucket/x", "not a storage URL")]
    [InlineData("gs:///x", "has no bucket")]
    [InlineData("file://host/x", "expected file:///absolute/path")]
    [InlineData("", "required")]
    public void Parse_Rejects_NamingTheUrl(string url, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => StorageUrl.Parse(url));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.False(StorageUrl.TryParse(url, out _));
    }

    [Theory]
    [InlineData("gs://b/base/", "x/y", "gs://b/base/x/y")]
    [InlineData("gs://b/base", "x", "gs://b/base/x")]
    [InlineData("gs://b", "x", "gs://b/x")]
    [InlineData("gs://b/base/", "/x/", "gs://b/base/x/")]
    [InlineData("file:///tmp/d", "a b:c", "file:///tmp/d/a b:c")]
    public void Join_AddsOneSlash(string folder, string relative, string expected) =>
        Assert.Equal(expected, StorageUrl.Join(folder, relative));

    [Fact]
    public void FolderAndLocalPath()
    {
        var url = StorageUrl.Parse("file:///var/data/in/trace.json");

        Assert.Equal("file:///var/data/in/", url.Folder.ToString());
        Assert.Equal("/var/data/in/trace.json", url.LocalPath);
        Assert.Equal(url, StorageUrl.FromLocalPath("/var/data/in/trace.json"));
        Assert.Throws<InvalidOperationException>(() => StorageUrl.Parse("gs://b/x").LocalPath);
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("a", "ab")]
    [InlineData("a-b/", "a/")]
    [InlineData("\uFF61", "\U0001F600")]
    [InlineData("\uD7FF", "\uE000")]
    [InlineData("\U0001F600", "\U0001F601")]
    public void NameComparer_FollowsUtf8ByteOrder(string smaller, string larger)
    {
        Assert.True(ObjectNameComparer.Instance.Compare(smaller, larger) < 0);
        Assert.True(ObjectNameComparer.Instance.Compare(larger, smaller) > 0);
        Assert.True(Encoding.UTF8.GetBytes(smaller).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(larger)) < 0);
    }
}
