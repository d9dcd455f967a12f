namespace BqDispatch.Core.Hosting;

/// <summary>The orchestration clock (a UTC <see cref="DateTime"/>) as the flow's <see cref="DateTimeOffset"/>.</summary>
public static class OrchestrationTime
{
    /// <summary>Always offset zero, whatever <see cref="DateTime.Kind"/> the host set: the value is UTC by contract.</summary>
    public static DateTimeOffset FromUtc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    /// <summary>The durable timer's fire time for a pause that starts at <paramref name="utcNow"/>.</summary>
    public static DateTime FireAt(DateTime utcNow, TimeSpan delay) =>
        DateTime.SpecifyKind(utcNow, DateTimeKind.Utc) + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
}
