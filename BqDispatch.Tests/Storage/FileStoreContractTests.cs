using BqDispatch.Core.Storage;

namespace BqDispatch.Tests.Storage;

public sealed class FileStoreContractTests : ObjectStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FileStore _store;

    public FileStoreContractTests()
    {
        _store = new FileStore(_directory.Path);
    }

    protected override IObjectStore Store => _store;

    protected override string Base => _directory.Url + "base/";

    protected override bool KeepsDeletedObjects => false;

    protected override bool RecordsClaims => false;

    public void Dispose() => _directory.Dispose();
}
