namespace BqDispatch.Core.Dispatch;

/// <summary>
/// How dispatchers share work (design §2.5). A hand-off or window firing first claims its source (a metadata update
/// under a metageneration precondition), then copies it pinned to the claimed metageneration, so of two dispatchers only
/// one can copy, even when BqTail consumes and deletes the trigger object between one's copy and the other's attempt.
/// Work claimed by another dispatcher within the lease is left to it; after the lease (it died, or failed) it is taken
/// over, and because that dispatcher may have copied before it stopped, the trigger object is then looked up first,
/// soft-deleted ones included.
/// </summary>
public static class HandOffClaims
{
    /// <summary>
    /// How long a claim is left to its dispatcher. Only how soon the work of a dispatcher that died is done depends on it:
    /// a takeover of a claim that is still alive is safe (the older claimant's pinned copy fails, or the lookup finds it).
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>True for a source claimed (metageneration above 1) less than the lease ago (its update time).</summary>
    public static bool IsHeldElsewhere(long metageneration, DateTimeOffset? updated, DateTimeOffset now) =>
        metageneration > 1 && updated is { } claimedAt && now - claimedAt < Lease;
}
