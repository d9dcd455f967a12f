using BqDispatch.Core.Storage;

namespace BqDispatch.Cli;

/// <summary>The storage backends the self-hosted dispatcher can reach, by URL scheme.</summary>
public static class Stores
{
    public static StorageRouter Create() => new(new MemoryStore(), new FileStore());
}
