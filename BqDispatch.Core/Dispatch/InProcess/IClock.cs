namespace BqDispatch.Core.Dispatch.InProcess;

/// <summary>Time for the in-process engine: the real clock in the CLI, a virtual one in tests.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }

    Task Delay(TimeSpan delay, CancellationToken cancellation);
}

/// <summary>The machine's clock.</summary>
public sealed class SystemClock : IClock
{
    public static readonly SystemClock Instance = new();

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

    public async Task Delay(TimeSpan delay, CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(delay, cancellation);
        }
        catch (OperationCanceledException)
        {
            // Stopping cuts the pause short; the run then ends after the cycle it finished.
        }
    }
}
