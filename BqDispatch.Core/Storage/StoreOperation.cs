namespace BqDispatch.Core.Storage;

/// <summary>The kinds of storage calls, as reported to fault-injection hooks.</summary>
public enum StoreOperation
{
    List,
    Read,
    Create,
    Put,
    Copy,
    Delete,
    Presence,
    Claim,
}
