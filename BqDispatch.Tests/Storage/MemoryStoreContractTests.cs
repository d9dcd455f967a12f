using BqDispatch.Core.Storage;

namespace BqDispatch.Tests.Storage;

public sealed class MemoryStoreContractTests : ObjectStoreContract
{
    private readonly MemoryStore _store = new();

    public MemoryStoreContractTests()
    {
        _store.CreateBucket("bucket");
    }

    protected override IObjectStore Store => _store;

    protected override string Base => "mem://bucket/base/";
}
