using BqDispatch.Tests.Support;

namespace BqDispatch.Tests.Acceptance;

/// <summary>Base of the acceptance suites: each runs once per storage backend, through a derived class per kind.</summary>
public abstract class AcceptanceTests(StorageKind kind)
{
    protected StorageKind Kind { get; } = kind;

    protected Task<DispatchFixture> Fixture(object? settings = null, DateTimeOffset? start = null) =>
        DispatchFixture.Create(Kind, settings, start);
}
