using System.Diagnostics;

namespace BqDispatch.Benchmarks;

/// <summary>Samples the managed heap and the working set of this process (the dispatcher; the emulators run in a child) every 10 ms and keeps the peaks.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public MemorySampler()
    {
        loop = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                PeakManaged = Math.Max(PeakManaged, GC.GetTotalMemory(false));
                process.Refresh();
                PeakWorkingSet = Math.Max(PeakWorkingSet, process.WorkingSet64);
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public long PeakManaged { get; private set; }

    public long PeakWorkingSet { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
