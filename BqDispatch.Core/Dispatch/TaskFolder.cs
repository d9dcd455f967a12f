namespace BqDispatch.Core.Dispatch;

/// <summary>
/// One folder of AsyncTaskURL: the root (legacy traces of the configured project, region "") or a
/// <c>proj:&lt;project&gt;:&lt;region&gt;/</c> folder. Every trace found in it shares these strings, so a trace kept for later
/// needs only its own name.
/// </summary>
/// <param name="RelativePrefix">The folder relative to AsyncTaskURL ("" or <c>proj:p:r/</c>): a trace's relative name is this plus its name.</param>
public sealed record TaskFolder(string Url, string RelativePrefix, string Project, string Region);
