namespace BqDispatch.Core.Dispatch.Status;

/// <summary>One handed-off trace in the status document's Jobs map.</summary>
public sealed record JobEntry(string ID, string URL, string Status);
