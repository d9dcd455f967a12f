using BqDispatch.Core.Dispatch.InProcess;

namespace BqDispatch.Tests.Support;

/// <summary>Virtual time shared by the engine, the memory store and the BigQuery emulator: pauses advance it instantly.</summary>
public sealed class ManualClock(DateTimeOffset start) : IClock
{
    private long ticks = start.UtcTicks;

    public DateTimeOffset UtcNow => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

    public Task Delay(TimeSpan delay, CancellationToken cancellation)
    {
        Advance(delay);
        return Task.CompletedTask;
    }
}
