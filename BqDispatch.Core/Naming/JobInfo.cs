namespace BqDispatch.Core.Naming;

/// <summary>
/// What a bqtail job id says about its job (bqtail's activity.Meta, the fields the dispatcher needs).
/// </summary>
/// <param name="DestTable">Destination table, as written by tail (<c>xx:test.dummy</c>) or as decoded from a job id (<c>xx_test_dummy</c>).</param>
/// <param name="EventId">The storage event that started the chain.</param>
/// <param name="Step">Position in the post-action chain. 64-bit because legacy ids carry event ids in this place.</param>
/// <param name="Action">bqtail action: load, reload, copy, query, export, or nop when the id does not say.</param>
/// <param name="Mode">dispatch (async, has a trace file), tail (sync) or nop.</param>
public sealed record JobInfo(string DestTable, string EventId, long Step, string Action, string Mode)
{
    /// <summary>True for jobs whose post actions wait for this dispatcher.</summary>
    public bool Async => Mode.EndsWith(JobIdCodec.DispatchMode, StringComparison.Ordinal);
}
