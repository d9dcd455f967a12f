namespace BqDispatch.Emulators.BigQuery;

/// <summary>Route names of the emulator, as used by <see cref="BigQueryEmulator.FailNext"/> and the request log.</summary>
public static class EmulatorRoutes
{
    /// <summary>GET projects/{p}/jobs.</summary>
    public const string List = "list";

    /// <summary>GET projects/{p}/jobs/{j}.</summary>
    public const string Get = "get";

    /// <summary>Anything else (answered 404 or 405).</summary>
    public const string Other = "other";

    internal static string Validate(string route) => route switch
    {
        List or Get => route,
        _ => throw new ArgumentException($"Unknown route '{route}'; use \"list\" or \"get\".", nameof(route)),
    };
}

/// <summary>One request the emulator answered.</summary>
/// <param name="Route"><see cref="EmulatorRoutes"/> name.</param>
/// <param name="Project">Decoded project id from the path, when the path had one.</param>
/// <param name="JobId">Decoded job id (get only).</param>
/// <param name="QueryString">The raw query string, with its leading '?' (empty when none).</param>
/// <param name="Status">HTTP status sent; 0 when the connection was dropped.</param>
public sealed record EmulatorRequest(string Route, string? Project, string? JobId, string QueryString, int Status);
