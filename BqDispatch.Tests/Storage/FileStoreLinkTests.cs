using BqDispatch.Core.Storage;
using Xunit;

namespace BqDispatch.Tests.Storage;

/// <summary>
/// Symbolic links below a file store's locations are shown by listings but never followed: nothing outside is
/// listed, read, copied, written or deleted through them. A location itself may be reached through a link.
/// </summary>
public sealed class FileStoreLinkTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TempDirectory directory = new();
    private readonly string tasks;
    private readonly string outside;
    private readonly FileStore store;

    public FileStoreLinkTests()
    {
        tasks = Directory.CreateDirectory(Path.Combine(directory.Path, "tasks")).FullName;
        outside = Directory.CreateDirectory(Path.Combine(directory.Path, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret--dispatch"), "secret");
        store = new FileStore(locations: [tasks, Path.Combine(directory.Path, "trigger")]);
    }

    private string TasksUrl => "file://" + tasks + "/";

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_linked_folder_is_listed_as_a_folder_but_not_looked_into()
    {
        Directory.CreateSymbolicLink(Path.Combine(tasks, "proj:p1:US"), outside);

        var root = await store.List(TasksUrl, None);
        var error = await Assert.ThrowsAsync<StorageException>(() => store.List(TasksUrl + "proj:p1:US/", None));

        Assert.Equal([TasksUrl + "proj:p1:US/"], root.Folders);
        Assert.Equal(400, error.Status);
        Assert.Contains("proj:p1:US is a symbolic link; the file store does not follow links below " + tasks, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linked_file_cannot_be_read_copied_or_deleted_and_its_target_stays()
    {
        var target = Path.Combine(outside, "secret--dispatch");
        File.CreateSymbolicLink(Path.Combine(tasks, "ds.t--1_00001_load--dispatch"), target);
        var link = Assert.Single((await store.List(TasksUrl, None)).Objects);

        var read = await Assert.ThrowsAsync<StorageException>(() => store.Read(link.Url, None));
        var copy = await Assert.ThrowsAsync<StorageException>(() =>
            store.CopyIfAbsent(link.Url, link.Generation, null, "file://" + directory.Path + "/trigger/x.json", None));
        var delete = await Assert.ThrowsAsync<StorageException>(() => store.Delete(link.Url, link.Generation, None));

        Assert.All(new[] { read, copy, delete }, e => Assert.Equal(400, e.Status));
        Assert.All(new[] { read, copy, delete }, e => Assert.Contains("is a symbolic link", e.Message, StringComparison.Ordinal));
        Assert.Equal("secret", File.ReadAllText(target));
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "trigger")));
    }

    [Fact]
    public async Task Nothing_is_written_through_a_linked_folder()
    {
        Directory.CreateSymbolicLink(Path.Combine(tasks, "proj:p1:US"), outside);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.Create(TasksUrl + "proj:p1:US/planted", "x"u8.ToArray(), None));

        Assert.Equal(400, error.Status);
        Assert.False(File.Exists(Path.Combine(outside, "planted")));
    }

    [Fact]
    public async Task A_location_reached_through_a_link_is_served()
    {
        var linkedTasks = Path.Combine(directory.Path, "linked-tasks");
        Directory.CreateSymbolicLink(linkedTasks, tasks);
        var linked = new FileStore(locations: [linkedTasks]);

        await linked.Create("file://" + linkedTasks + "/proj:p1:US/t", "x"u8.ToArray(), None);

        Assert.Equal("x", File.ReadAllText(Path.Combine(tasks, "proj:p1:US", "t")));
    }

    [Fact]
    public async Task A_link_loop_does_not_hold_up_a_listing()
    {
        var folder = Directory.CreateDirectory(Path.Combine(tasks, "proj:p1:US")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(folder, "loop"), tasks);

        var listing = await Task.Run(() => store.List(TasksUrl, None)).WaitAsync(TimeSpan.FromSeconds(30));

        // The folder holds nothing but a link, so it is as empty as Cloud Storage would show it.
        Assert.Empty(listing.Folders);
    }

    [Fact]
    public async Task A_path_outside_the_locations_is_refused()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => store.Read("file://" + outside + "/secret--dispatch", None));

        Assert.Equal(400, error.Status);
        Assert.Contains("outside the file store's locations", error.Message, StringComparison.Ordinal);
    }
}
