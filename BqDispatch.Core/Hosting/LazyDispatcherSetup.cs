namespace BqDispatch.Core.Hosting;

/// <summary>
/// The one <see cref="DispatcherSetup"/> of a long-lived host, built on first use. A failed build (a bad CONFIG,
/// an unreachable config URL) is not cached: the next caller tries again and sees the error, so fixing the
/// configuration source needs no restart, and the host starts even while its configuration is broken.
/// </summary>
public sealed class LazyDispatcherSetup(Func<CancellationToken, Task<DispatcherSetup>> create) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private DispatcherSetup? setup;

    public async Task<DispatcherSetup> Get(CancellationToken cancellation)
    {
        if (Volatile.Read(ref setup) is { } ready)
        {
            return ready;
        }

        await gate.WaitAsync(cancellation);
        try
        {
            return setup ??= await create(cancellation);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        setup?.Dispose();
        gate.Dispose();
    }
}
